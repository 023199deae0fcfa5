// Celeriac — a Celery-compatible job service in Swift.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// C functions that Swift's Glibc module does not declare (GNU extensions, newer calls),
/// looked up among the libraries the process has loaded already.
enum CSymbol {
    /// `name` as a function of `type`; nil when no loaded library has it.
    static func find<Function>(_ name: String, as type: Function.Type) -> Function? {
        dlsym(UnsafeMutableRawPointer(bitPattern: 0), name).map { unsafeBitCast($0, to: type) }
    }
}
