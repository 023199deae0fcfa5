// Celeriac — a Celery-compatible job service in Swift.

import CHiredis
@testable import CeleriacRedis
import Testing

/// ``RESPCommand`` against hiredis's own formatter, on random binary arguments.
struct RESPCommandTests {
    /// What `redisFormatCommandArgv` makes of `args`.
    private func hiredis(_ args: [[UInt8]]) -> [UInt8] {
        var target: UnsafeMutablePointer<CChar>?
        let joined = args.flatMap { $0 }
        var offsets: [Int] = []
        var offset = 0
        for arg in args {
            offsets.append(offset)
            offset += arg.count
        }
        let length = joined.withUnsafeBufferPointer { buffer -> Int32 in
            let base = UnsafeRawPointer(buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!)
            var argv: [UnsafePointer<CChar>?] = offsets.map { base.advanced(by: $0).assumingMemoryBound(to: CChar.self) }
            let lengths = args.map(\.count)
            return redisFormatCommandArgv(&target, Int32(args.count), &argv, lengths)
        }
        defer { redisFreeCommand(target) }
        return Array(UnsafeRawBufferPointer(start: target, count: Int(length)))
    }

    @Test func matchesHiredisOnRandomArguments() {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<2_000 {
            let count = Int.random(in: 0...12, using: &generator)
            let args: [[UInt8]] = (0..<count).map { _ in
                // Mostly short, some long (multi-digit lengths), any byte (CR, LF, NUL included).
                let length = Int.random(in: 0...7, using: &generator) > 0 ? Int.random(in: 0...12) : Int.random(in: 0...5_000)
                // 8 random bytes per draw: a draw per byte took the debug build 20 s.
                let words = (0..<(length + 7) / 8).map { _ in generator.next() as UInt64 }
                return Array(words.withUnsafeBytes { Array($0) }.prefix(length))
            }
            let ours = RESPCommand(args).bytes
            #expect(ours == hiredis(args), "round \(round): \(args.map(\.count))")
            if ours != hiredis(args) { return }
        }
    }

    @Test func evalshaIsTheCommandItSpellsOut() {
        let args: [[UInt8]] = [[0x00, 0x0D, 0x0A], Array("x".utf8)]
        let spelled = [Array("EVALSHA".utf8), Array("abc".utf8), Array("2".utf8), Array("k1".utf8), Array("k2".utf8)] + args
        #expect(RESPCommand.evalsha("abc", keys: ["k1", "k2"], args: args).bytes == hiredis(spelled))
        #expect(RESPCommand.evalsha("abc", keys: ["k1", "k2"], args: args).operation == "EVALSHA")
    }

    @Test func aTransactionIsMultiItsCommandsAndExecInOneBuffer() {
        let value: [UInt8] = [0x00, 0x0D, 0x0A, 0x24]
        let transaction = RESPCommand.transaction(reservingCapacity: 0) { command in
            command.next("LPUSH", arguments: 2)
            command.append("q")
            command.append(value)
            command.next("EXPIRE", "k", "60")
        }
        let spelled = [["MULTI"], ["LPUSH", "q"], ["EXPIRE", "k", "60"], ["EXEC"]].map { $0.map { Array($0.utf8) } }
        var expected = spelled.map(hiredis)
        expected[1] = hiredis([Array("LPUSH".utf8), Array("q".utf8), value])
        #expect(transaction.bytes == expected.flatMap { $0 })
        #expect(transaction.replies == 4)
        #expect(RESPCommand([Array("PING".utf8)]).replies == 1)
    }
}
