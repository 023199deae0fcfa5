// Celeriac — a Celery-compatible job service in Swift.

internal import CLibPQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// libpq, loaded with `dlopen` on the first connection rather than linked: linking maps libpq
/// and what it pulls in (OpenSSL, Kerberos, LDAP) into every process at start, and a worker
/// whose jobs never touch PostgreSQL should not carry them. Stays loaded for the process's life.
struct PQLibrary: @unchecked Sendable {
    // Safe to share: immutable C function addresses.
    typealias Connection = OpaquePointer
    typealias Result = OpaquePointer
    typealias Params = UnsafePointer<UnsafePointer<CChar>?>?

    let connectdb: @convention(c) (UnsafePointer<CChar>?) -> Connection?
    let finish: @convention(c) (Connection?) -> Void
    let status: @convention(c) (Connection?) -> ConnStatusType
    let errorMessage: @convention(c) (Connection?) -> UnsafeMutablePointer<CChar>?
    let exec: @convention(c) (Connection?, UnsafePointer<CChar>?) -> Result?
    let execParams: @convention(c) (
        Connection?, UnsafePointer<CChar>?, Int32, UnsafePointer<Oid>?, Params, UnsafePointer<Int32>?,
        UnsafePointer<Int32>?, Int32
    ) -> Result?
    let prepare: @convention(c) (Connection?, UnsafePointer<CChar>?, UnsafePointer<CChar>?, Int32, UnsafePointer<Oid>?) -> Result?
    let execPrepared: @convention(c) (
        Connection?, UnsafePointer<CChar>?, Int32, Params, UnsafePointer<Int32>?, UnsafePointer<Int32>?, Int32
    ) -> Result?
    let clear: @convention(c) (Result?) -> Void
    let resultStatus: @convention(c) (Result?) -> ExecStatusType
    let resultErrorField: @convention(c) (Result?, Int32) -> UnsafeMutablePointer<CChar>?
    let resultErrorMessage: @convention(c) (Result?) -> UnsafeMutablePointer<CChar>?
    let nfields: @convention(c) (Result?) -> Int32
    let ntuples: @convention(c) (Result?) -> Int32
    let fname: @convention(c) (Result?, Int32) -> UnsafeMutablePointer<CChar>?
    let getisnull: @convention(c) (Result?, Int32, Int32) -> Int32
    let getvalue: @convention(c) (Result?, Int32, Int32) -> UnsafeMutablePointer<CChar>?
    let cmdTuples: @convention(c) (Result?) -> UnsafeMutablePointer<CChar>?

    /// The library, loaded once; or why it could not be.
    static let shared: Swift.Result<PQLibrary, PostgresError> = load(sonames: ["libpq.so.5", "libpq.so"])

    static func load(sonames: [String]) -> Swift.Result<PQLibrary, PostgresError> {
        guard let library = sonames.lazy.compactMap({ dlopen($0, RTLD_NOW | RTLD_LOCAL) }).first else {
            let reason = dlerror().map { String(cString: $0) } ?? "not found"
            return .failure(.connect("cannot load libpq (\(sonames.joined(separator: ", "))): \(reason)"))
        }
        var missing: [String] = []
        func symbol<T>(_ name: String, as type: T.Type = T.self) -> T? {
            guard let address = dlsym(library, name) else {
                missing.append(name)
                return nil
            }
            return unsafeBitCast(address, to: type)
        }
        guard let connectdb = symbol("PQconnectdb", as: (@convention(c) (UnsafePointer<CChar>?) -> Connection?).self),
            let finish = symbol("PQfinish", as: (@convention(c) (Connection?) -> Void).self),
            let status = symbol("PQstatus", as: (@convention(c) (Connection?) -> ConnStatusType).self),
            let errorMessage = symbol("PQerrorMessage", as: (@convention(c) (Connection?) -> UnsafeMutablePointer<CChar>?).self),
            let exec = symbol("PQexec", as: (@convention(c) (Connection?, UnsafePointer<CChar>?) -> Result?).self),
            let execParams = symbol(
                "PQexecParams",
                as: (@convention(c) (
                    Connection?, UnsafePointer<CChar>?, Int32, UnsafePointer<Oid>?, Params, UnsafePointer<Int32>?,
                    UnsafePointer<Int32>?, Int32
                ) -> Result?).self),
            let prepare = symbol(
                "PQprepare",
                as: (@convention(c) (Connection?, UnsafePointer<CChar>?, UnsafePointer<CChar>?, Int32, UnsafePointer<Oid>?) -> Result?)
                    .self),
            let execPrepared = symbol(
                "PQexecPrepared",
                as: (@convention(c) (
                    Connection?, UnsafePointer<CChar>?, Int32, Params, UnsafePointer<Int32>?, UnsafePointer<Int32>?, Int32
                ) -> Result?).self),
            let clear = symbol("PQclear", as: (@convention(c) (Result?) -> Void).self),
            let resultStatus = symbol("PQresultStatus", as: (@convention(c) (Result?) -> ExecStatusType).self),
            let resultErrorField = symbol(
                "PQresultErrorField", as: (@convention(c) (Result?, Int32) -> UnsafeMutablePointer<CChar>?).self),
            let resultErrorMessage = symbol(
                "PQresultErrorMessage", as: (@convention(c) (Result?) -> UnsafeMutablePointer<CChar>?).self),
            let nfields = symbol("PQnfields", as: (@convention(c) (Result?) -> Int32).self),
            let ntuples = symbol("PQntuples", as: (@convention(c) (Result?) -> Int32).self),
            let fname = symbol("PQfname", as: (@convention(c) (Result?, Int32) -> UnsafeMutablePointer<CChar>?).self),
            let getisnull = symbol("PQgetisnull", as: (@convention(c) (Result?, Int32, Int32) -> Int32).self),
            let getvalue = symbol("PQgetvalue", as: (@convention(c) (Result?, Int32, Int32) -> UnsafeMutablePointer<CChar>?).self),
            let cmdTuples = symbol("PQcmdTuples", as: (@convention(c) (Result?) -> UnsafeMutablePointer<CChar>?).self)
        else {
            return .failure(.connect("libpq lacks \(missing.joined(separator: ", "))"))
        }
        return .success(
            PQLibrary(
                connectdb: connectdb, finish: finish, status: status, errorMessage: errorMessage, exec: exec,
                execParams: execParams, prepare: prepare, execPrepared: execPrepared, clear: clear,
                resultStatus: resultStatus, resultErrorField: resultErrorField, resultErrorMessage: resultErrorMessage,
                nfields: nfields, ntuples: ntuples, fname: fname, getisnull: getisnull, getvalue: getvalue,
                cmdTuples: cmdTuples))
    }
}
