// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "cachectl",
    products: [
        .executable(name: "cachectl", targets: ["cachectl"]),
        .library(name: "CacheClient", targets: ["CacheClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CHiredis",
            pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"])]
        ),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // Headers only: OpenSSL itself is loaded with dlopen when a TLS connection is opened
        // (see Sources/COpenSSL/shim.h), so pkg-config's -lssl -lcrypto are not wanted.
        .systemLibrary(
            name: "COpenSSL",
            providers: [.apt(["libssl-dev"])]
        ),
        .target(
            name: "CacheClient",
            dependencies: ["CHiredis", "COpenSSL", "CSQLite"]
        ),
        .executableTarget(
            name: "cachectl",
            dependencies: [
                "CacheClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // Release builds link libstdc++ statically (see Linking/static-libstdc++/libstdc++.so):
            // with --static-swift-stdlib it is the only C++ library left to load at start-up.
            linkerSettings: [.unsafeFlags(["-L", Context.packageDirectory + "/Linking/static-libstdc++"], .when(configuration: .release))]
        ),
        .executableTarget(
            // An application reading through CacheClient: `make demo` runs it so `stats` shows a real hit rate.
            name: "cachectl-read-through",
            dependencies: ["CacheClient"],
            path: "Examples/ReadThrough"
        ),
        .testTarget(
            name: "CacheClientTests",
            dependencies: ["CacheClient"]
        ),
        .testTarget(
            name: "cachectlTests",
            // Depending on the executables makes `swift test` build them next to the test bundle.
            dependencies: ["CacheClient", "cachectl", "cachectl-read-through"]
        ),
        .testTarget(
            name: "IntegrationTests",
            // cachectlTests brings the process runner (`CLI`) and, through it, the built binary.
            dependencies: ["CacheClient", "cachectlTests"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
