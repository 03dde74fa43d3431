<?php
// Symfony Cache's own RedisTagAwareAdapter writing, reading and invalidating a cache, for
// cachectl's layout tests.
//
//   symfony_cache.php write URL NAMESPACE MANIFEST        save every entry of a JSON Lines manifest, with its tags
//   symfony_cache.php read URL NAMESPACE MANIFEST         getItem() every entry: one JSON line each,
//                                                         {"key", "hit", "equal", "value"}
//   symfony_cache.php invalidate URL NAMESPACE TAG...     invalidateTags()
//
// "equal" is PHP's strict === between the value read and the manifest's value (json_decode'd
// as arrays), so a numeric string stays a string.
require_once '/usr/share/php/Symfony/Component/Cache/autoload.php';

use Symfony\Component\Cache\Adapter\RedisAdapter;
use Symfony\Component\Cache\Adapter\RedisTagAwareAdapter;

[$script, $command, $url, $namespace] = array_slice($argv, 0, 4);
$pool = new RedisTagAwareAdapter(RedisAdapter::createConnection($url), $namespace);

function manifest(string $path): array {
    $entries = [];
    foreach (file($path, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) as $line) {
        $entries[] = json_decode($line, true, 512, JSON_THROW_ON_ERROR);
    }
    return $entries;
}

switch ($command) {
    case 'write':
        foreach (manifest($argv[4]) as $entry) {
            $item = $pool->getItem($entry['key']);
            $item->set($entry['value']);
            if (array_key_exists('ttl', $entry)) { $item->expiresAfter($entry['ttl']); } else { $item->expiresAfter(300); }
            if (!empty($entry['tags'])) { $item->tag($entry['tags']); }
            if (!$pool->save($item)) { fwrite(STDERR, "save failed: {$entry['key']}\n"); exit(1); }
        }
        break;
    case 'read':
        foreach (manifest($argv[4]) as $entry) {
            $item = $pool->getItem($entry['key']);
            $hit = $item->isHit();
            $value = $hit ? $item->get() : null;
            echo json_encode(['key' => $entry['key'], 'hit' => $hit, 'equal' => $hit && $value === $entry['value'],
                              'value' => is_object($value) ? get_class($value) : $value]), "\n";
        }
        break;
    case 'invalidate':
        if (!$pool->invalidateTags(array_slice($argv, 4))) { fwrite(STDERR, "invalidateTags failed\n"); exit(1); }
        break;
    default:
        fwrite(STDERR, "unknown command $command\n");
        exit(64);
}
