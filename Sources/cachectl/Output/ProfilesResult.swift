import CacheClient

/// The profiles of the config file, as `profiles` lists them: URLs with passwords as `***`.
struct ProfilesResult: Renderable {
    let file: ProfileFile

    private enum Keys: String, CodingKey { case config, exists, profiles }
    private enum ProfileKeys: String, CodingKey {
        case name, url, cacert, cacertdir, cert, key, sni, user, passwordFile = "password_file", keyPrefix = "key_prefix"
        case tagPrefix = "tag_prefix", statsKey = "stats_key", timeout, layout
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(file.path, forKey: .config)
        try container.encode(file.exists, forKey: .exists)
        var list = container.nestedUnkeyedContainer(forKey: .profiles)
        for profile in file.profiles {
            var entry = list.nestedContainer(keyedBy: ProfileKeys.self)
            try entry.encode(profile.name, forKey: .name)
            try entry.encodeIfPresent(profile.shownURL, forKey: .url)
            try entry.encodeIfPresent(profile.cacert, forKey: .cacert)
            try entry.encodeIfPresent(profile.cacertdir, forKey: .cacertdir)
            try entry.encodeIfPresent(profile.cert, forKey: .cert)
            try entry.encodeIfPresent(profile.key, forKey: .key)
            try entry.encodeIfPresent(profile.sni, forKey: .sni)
            try entry.encodeIfPresent(profile.user, forKey: .user)
            try entry.encodeIfPresent(profile.passwordFile, forKey: .passwordFile)
            try entry.encodeIfPresent(profile.keyPrefix, forKey: .keyPrefix)
            try entry.encodeIfPresent(profile.tagPrefix, forKey: .tagPrefix)
            try entry.encodeIfPresent(profile.statsKey, forKey: .statsKey)
            try entry.encodeIfPresent(profile.timeout, forKey: .timeout)
            try entry.encodeIfPresent(profile.layout, forKey: .layout)
        }
    }

    func text(style: TextStyle) -> String {
        let rows = file.profiles.map { profile -> [String] in
            var tls: [String] = []
            if let cacert = profile.cacert { tls.append("cacert \(cacert)") }
            if let directory = profile.cacertdir { tls.append("cacertdir \(directory)") }
            if let cert = profile.cert { tls.append("cert \(cert)") }
            if let sni = profile.sni { tls.append("sni \(sni)") }
            return [profile.name, profile.shownURL ?? "-", profile.user ?? "-", tls.isEmpty ? "-" : tls.joined(separator: ", ")]
        }
        return Table(headers: ["PROFILE", "URL", "USER", "TLS"], rows: rows).render(style: style)
    }
}
