<?php
// Laravel 8's own RedisStore (Illuminate\Cache over Illuminate\Redis with phpredis) writing,
// reading and invalidating a cache, for cachectl's layout tests.
//
//   laravel_cache.php write URL PREFIX MANIFEST         put()/forever() every entry, through tags() when it has some
//   laravel_cache.php read URL PREFIX MANIFEST          get() every entry (through its tags): one JSON line each,
//                                                       {"key", "hit", "equal", "value"}
//   laravel_cache.php invalidate URL PREFIX TAG...      tags([TAG])->flush() for each tag
//
// "equal" is ===, except that Laravel returns numbers as the numeric strings it stores them as:
// those compare with ==, as the application would see them.
require_once '/usr/share/php/Illuminate/Cache/autoload.php';
require_once '/usr/share/php/Illuminate/Redis/autoload.php';

use Illuminate\Cache\RedisStore;
use Illuminate\Cache\Repository;
use Illuminate\Redis\RedisManager;

[$script, $command, $url, $prefix] = array_slice($argv, 0, 4);
$parts = parse_url($url);
// No application container: RedisManager needs one only to fire events, which stay off.
// LARAVEL_REDIS_PREFIX is the connection's own prefix (database.redis.options.prefix).
$redis = new RedisManager(null, 'phpredis', [
    'default' => ['host' => $parts['host'], 'port' => $parts['port'] ?? 6379, 'database' => (int) ltrim($parts['path'] ?? '/0', '/')],
    'options' => ['prefix' => getenv('LARAVEL_REDIS_PREFIX') ?: ''],
]);
$cache = new Repository(new RedisStore($redis, $prefix, 'default'));

function manifest(string $path): array {
    $entries = [];
    foreach (file($path, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) as $line) {
        $entries[] = json_decode($line, true, 512, JSON_THROW_ON_ERROR);
    }
    return $entries;
}

function store(Repository $cache, array $entry) {
    return empty($entry['tags']) ? $cache : $cache->tags($entry['tags']);
}

function same($read, $expected): bool {
    if (is_string($read) && is_numeric($read) && (is_int($expected) || is_float($expected) || is_numeric($expected))) {
        return $read == $expected;
    }
    return $read === $expected;
}

switch ($command) {
    case 'write':
        foreach (manifest($argv[4]) as $entry) {
            $ttl = array_key_exists('ttl', $entry) ? $entry['ttl'] : 300;
            $ok = $ttl === null ? store($cache, $entry)->forever($entry['key'], $entry['value'])
                                : store($cache, $entry)->put($entry['key'], $entry['value'], $ttl);
            if (!$ok) { fwrite(STDERR, "put failed: {$entry['key']}\n"); exit(1); }
        }
        break;
    case 'read':
        $missing = new stdClass();
        foreach (manifest($argv[4]) as $entry) {
            $value = store($cache, $entry)->get($entry['key'], $missing);
            $hit = $value !== $missing;
            echo json_encode(['key' => $entry['key'], 'hit' => $hit, 'equal' => $hit && same($value, $entry['value']),
                              'value' => $hit ? (is_object($value) ? get_class($value) : $value) : null]), "\n";
        }
        break;
    case 'invalidate':
        foreach (array_slice($argv, 4) as $tag) { $cache->tags([$tag])->flush(); }
        break;
    default:
        fwrite(STDERR, "unknown command $command\n");
        exit(64);
}
