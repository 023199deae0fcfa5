// swift-tools-version:6.0
// The latency benchmark's load generator: paced POST /tasks over a few keep-alive
// connections, cheap enough not to take the cores from what it measures. Not part of the
// product; bench/run.sh builds it on its own.
import PackageDescription

let package = Package(
    name: "loadgen",
    targets: [.executableTarget(name: "loadgen", swiftSettings: [.swiftLanguageMode(.v6)])]
)
