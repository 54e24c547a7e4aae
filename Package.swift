// swift-tools-version:6.0
import PackageDescription

/// Warnings are errors on the project's own targets only (never on dependencies).
let strict: [SwiftSetting] = [.unsafeFlags(["-warnings-as-errors"])]

let package = Package(
    name: "ClaimScrub",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "claimscrub", targets: ["claimscrub"]),
        .library(name: "ClaimModel", targets: ["ClaimModel"]),
        .library(name: "X12", targets: ["X12"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Property-based testing for the differential tests (RulesTests only).
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        // Value types of a claim; depends on nothing but Foundation.
        .target(name: "ClaimModel", swiftSettings: strict),
        // libyaml, from Debian's libyaml-dev (pkg-config yaml-0.1).
        .systemLibrary(name: "CYaml", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        // YAML documents as a located, Sendable tree (every node knows file, line, column).
        .target(name: "YAML", dependencies: ["CYaml"], swiftSettings: strict),
        // zlib, from Debian's zlib1g-dev (pkg-config zlib): Tables reads `.csv.gz` tables through it.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // CSV tables with named columns and row effective dates, code sets and ranges, content hashes.
        .target(name: "Tables", dependencies: ["ClaimModel", "CZlib"], swiftSettings: strict),
        // Importers of CMS's release files (NCCI PTP, MUE, add-on codes; ICD-10-CM tabular XML) into tables.
        .target(name: "TableImport", dependencies: ["Tables", "ClaimModel", "CZlib"], swiftSettings: strict),
        // The rule language: packs, tables, rules and tests parsed and checked, with diagnostics.
        .target(name: "Rules", dependencies: ["ClaimModel", "YAML", "Tables"], swiftSettings: strict),
        // The compiled evaluation graph, its evaluator, and the reference evaluator.
        // Release builds skip the dynamic exclusivity checks here: the evaluator is one object per thread whose
        // state is read and written on every node, and the checks cost 4 % of a scrub (debug builds and the
        // tests keep them).
        .target(name: "RuleGraph", dependencies: ["ClaimModel", "Rules", "Tables"],
                swiftSettings: strict + [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]),
        // Report renderers: text, JSON, CSV.
        .target(name: "Reports", dependencies: ["ClaimModel", "Rules", "RuleGraph", "X12"], swiftSettings: strict),
        // The jobs the CLI and the server run: read claims (X12 or JSON), scrub a batch, run rule tests.
        .target(name: "Engine", dependencies: ["ClaimModel", "X12", "Rules", "RuleGraph", "Reports"], swiftSettings: strict),
        // Streaming ANSI X12 5010 837P/837I reader into the claim model.
        .target(name: "X12", dependencies: ["ClaimModel"], swiftSettings: strict),
        // The command line: a thin shell over the libraries.
        .executableTarget(
            name: "claimscrub",
            dependencies: [
                "ClaimModel", "X12", "Rules", "RuleGraph", "Reports", "Engine", "TableImport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict),
        // Benchmarks (run by scripts/bench, never by the tests).
        .executableTarget(name: "X12Bench", dependencies: ["X12", "ClaimModel", "CTokenizerBaseline"], swiftSettings: strict),
        // The rules engine benchmark (run by scripts/bench-rules): compiled graph against the reference evaluator.
        .executableTarget(
            name: "RulesBench", dependencies: ["Rules", "RuleGraph", "Tables", "ClaimModel", "Engine"], swiftSettings: strict),
        .target(name: "CTokenizerBaseline", path: "Sources/CTokenizerBaseline"),
        // libFuzzer targets (run by scripts/fuzz, built alone with --sanitize=fuzzer; see README "Robustness").
        .executableTarget(name: "FuzzX12", dependencies: ["X12", "ClaimModel"], swiftSettings: strict),
        .executableTarget(name: "FuzzRules", dependencies: ["Rules", "RuleGraph", "YAML"], swiftSettings: strict),
        .testTarget(name: "ClaimModelTests", dependencies: ["ClaimModel"], swiftSettings: strict),
        .testTarget(name: "YAMLTests", dependencies: ["YAML"], swiftSettings: strict),
        .testTarget(name: "TablesTests", dependencies: ["Tables", "ClaimModel"], resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(
            name: "TableImportTests", dependencies: ["TableImport", "Tables", "ClaimModel"], resources: [.copy("Fixtures")],
            swiftSettings: strict),
        .testTarget(
            name: "RulesTests",
            dependencies: [
                "Rules", "RuleGraph", "Reports", "Engine", "ClaimModel", "X12", "Tables", "YAML",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(
            name: "X12Tests", dependencies: ["X12", "ClaimModel"],
            resources: [.copy("Fixtures")], swiftSettings: strict),
    ]
)
