// Celeriac — a Celery-compatible job service in Swift.
//
// loadgen --rate R --seconds S --connections N --host H --port P --queue Q --ids FILE
//
// Open loop: connection k sends its i-th request at start + (k + i·N)/R (one blocking
// socket and thread per connection, HTTP/1.1 keep-alive). A request whose turn came while
// the previous answer was still outstanding goes out late and is counted in `late_sends`.
// Prints {"tasks", "seconds", "achieved_rate", "late_sends", "errors"}; the created task ids
// go to FILE, one per line, for the latency report.

import Foundation

struct Options {
    var rate = 100.0
    var seconds = 10.0
    var connections = 8
    var host = "127.0.0.1"
    var port: UInt16 = 8080
    var queue = "bench_latency"
    var ids = "/dev/null"

    init(_ arguments: [String]) {
        var index = 1
        func value() -> String {
            index += 1
            guard index < arguments.count else { fatalError("missing value for \(arguments[index - 1])") }
            return arguments[index]
        }
        while index < arguments.count {
            switch arguments[index] {
            case "--rate": rate = Double(value())!
            case "--seconds": seconds = Double(value())!
            case "--connections": connections = Int(value())!
            case "--host": host = value()
            case "--port": port = UInt16(value())!
            case "--queue": queue = value()
            case "--ids": ids = value()
            default: fatalError("unknown option \(arguments[index])")
            }
            index += 1
        }
    }
}

func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// One keep-alive HTTP/1.1 connection with blocking reads and writes.
final class Connection {
    let fd: Int32
    var buffer: [UInt8] = []

    init(host: String, port: UInt16) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        precondition(connected == 0, "cannot connect to \(host):\(port)")
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// `Authorization: Bearer $BENCH_TOKEN\r\n`, or nothing without one.
    static let authorization: String = {
        guard let token = getenv("BENCH_TOKEN").map({ String(cString: $0) }), !token.isEmpty else { return "" }
        return "Authorization: Bearer \(token)\r\n"
    }()

    /// Sends one POST and returns (status, body).
    func post(_ path: String, body: String) -> (Int, [UInt8])? {
        let request = Array("POST \(path) HTTP/1.1\r\nHost: loadgen\r\n\(Self.authorization)Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
        var sent = 0
        while sent < request.count {
            let n = request.withUnsafeBytes { send(fd, $0.baseAddress! + sent, request.count - sent, 0) }
            if n <= 0 { return nil }
            sent += n
        }
        guard let headerEnd = readUntilHeaders() else { return nil }
        let head = String(decoding: buffer[..<headerEnd], as: UTF8.self)
        let status = Int(head.split(separator: " ", maxSplits: 2).dropFirst().first ?? "") ?? 0
        var length = 0
        for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
            length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
        }
        let total = headerEnd + 4 + length
        while buffer.count < total { if !fill() { return nil } }
        let responseBody = Array(buffer[(headerEnd + 4)..<total])
        buffer.removeFirst(total)
        return (status, responseBody)
    }

    private func readUntilHeaders() -> Int? {
        while true {
            if buffer.count >= 4 {
                for i in 0...(buffer.count - 4)
                where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
                    return i
                }
            }
            if !fill() { return nil }
        }
    }

    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
        guard n > 0 else { return false }
        buffer.append(contentsOf: chunk[..<n])
        return true
    }
}

/// `"id": "<value>"` from a 201 answer.
func taskID(in body: [UInt8]) -> String? {
    let text = String(decoding: body, as: UTF8.self)
    guard let key = text.range(of: #""id": ""#) else { return nil }
    let rest = text[key.upperBound...]
    guard let end = rest.firstIndex(of: "\"") else { return nil }
    return String(rest[..<end])
}

struct Outcome: Sendable {
    var ids: [String] = []
    var late = 0
    var errors = 0
}

let options = Options(CommandLine.arguments)
let start = now() + 0.2
let interval = 1.0 / options.rate
/// Each connection's outcome, gathered under a lock.
final class Outcomes: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Outcome] = []
    func add(_ outcome: Outcome) { lock.withLock { items.append(outcome) } }
    var all: [Outcome] { lock.withLock { items } }
}
let results = Outcomes()
let done = DispatchGroup()
for k in 0..<options.connections {
    done.enter()
    Thread.detachNewThread {
        let connection = Connection(host: options.host, port: options.port)
        var outcome = Outcome()
        var i = 0
        while true {
            let due = start + (Double(k) + Double(i) * Double(options.connections)) * interval
            if due > start + options.seconds { break }
            let current = now()
            if current > start + options.seconds { break }
            if current < due {
                var pause = timespec(tv_sec: Int(due - current), tv_nsec: Int(((due - current).truncatingRemainder(dividingBy: 1)) * 1e9))
                nanosleep(&pause, nil)
            } else if current - due > 0.05 {
                outcome.late += 1
            }
            let body = #"{"task": "celeriac.echo", "args": [\#(i)], "queue": "\#(options.queue)"}"#
            if let (status, answer) = connection.post("/tasks", body: body), status == 201, let id = taskID(in: answer) {
                outcome.ids.append(id)
            } else {
                outcome.errors += 1
            }
            i += 1
        }
        close(connection.fd)
        results.add(outcome)
        done.leave()
    }
}
done.wait()
let elapsed = now() - start
let outcomes = results.all
let ids = outcomes.flatMap(\.ids)
_ = FileManager.default.createFile(atPath: options.ids, contents: Data(ids.map { $0 + "\n" }.joined().utf8))
let achieved = Double(ids.count) / elapsed
print(#"{"tasks": \#(ids.count), "seconds": \#((elapsed * 1000).rounded() / 1000), "achieved_rate": \#(Int(achieved.rounded())), "late_sends": \#(outcomes.map(\.late).reduce(0, +)), "errors": \#(outcomes.map(\.errors).reduce(0, +))}"#)
