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
    ],
    targets: [
        // Value types of a claim; depends on nothing but Foundation.
        .target(name: "ClaimModel", swiftSettings: strict),
        // Streaming ANSI X12 5010 837P/837I reader into the claim model.
        .target(name: "X12", dependencies: ["ClaimModel"], swiftSettings: strict),
        // The command line: a thin shell over the libraries.
        .executableTarget(
            name: "claimscrub",
            dependencies: [
                "ClaimModel", "X12",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict),
        // Benchmarks (run by scripts/bench, never by the tests).
        .executableTarget(name: "X12Bench", dependencies: ["X12", "ClaimModel", "CTokenizerBaseline"], swiftSettings: strict),
        .target(name: "CTokenizerBaseline", path: "Sources/CTokenizerBaseline"),
        .testTarget(name: "ClaimModelTests", dependencies: ["ClaimModel"], swiftSettings: strict),
        .testTarget(
            name: "X12Tests", dependencies: ["X12", "ClaimModel"],
            resources: [.copy("Fixtures")], swiftSettings: strict),
    ]
)
