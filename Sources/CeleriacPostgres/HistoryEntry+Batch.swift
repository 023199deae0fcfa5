// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore

extension HistoryEntry {
    /// This entry followed by `later` for the same task, as one change: what the row would
    /// hold after both upserts (the further-along state wins; first-seen arguments stay).
    public func merged(with later: HistoryEntry) -> HistoryEntry {
        var merged = self
        if status.isSuperseded(by: later.status) {
            merged.status = later.status
            merged.result = later.result ?? result
            merged.traceback = later.traceback ?? traceback
            merged.worker = later.worker ?? worker
            merged.at = later.at
        }
        merged.taskName = taskName ?? later.taskName
        merged.taskArgs = taskArgs ?? later.taskArgs
        merged.taskKwargs = taskKwargs ?? later.taskKwargs
        merged.startedAt = later.startedAt ?? startedAt
        merged.queue = queue ?? later.queue
        return merged
    }

    /// `entries` with each task's changes merged into one, in order of first appearance:
    /// one statement may not touch a row twice.
    public static func coalesced(_ entries: [HistoryEntry]) -> [HistoryEntry] {
        var index: [String: Int] = [:]
        var out: [HistoryEntry] = []
        out.reserveCapacity(entries.count)
        for entry in entries {
            if let at = index[entry.taskID] {
                out[at] = out[at].merged(with: entry)
            } else {
                index[entry.taskID] = out.count
                out.append(entry)
            }
        }
        return out
    }
}

/// PostgreSQL's text form of a one-dimensional `text[]`, for passing many values as one
/// parameter (`unnest($1::text[])`). PostgreSQL text cannot hold U+0000 (and libpq would cut
/// the parameter there), so a NUL in a value (a worker's traceback, say) is written as U+FFFD.
enum PGTextArray {
    /// `{1,2,3}`: the text form of an `integer[]`.
    static func integers(_ values: [Int]) -> String { "{" + values.map(String.init).joined(separator: ",") + "}" }

    static func literal(_ values: [String?]) -> String {
        var out: [UInt8] = [UInt8(ascii: "{")]
        out.reserveCapacity(values.count * 40)
        for (i, value) in values.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            guard let value else {
                out.append(contentsOf: "NULL".utf8)
                continue
            }
            out.append(UInt8(ascii: "\""))
            for byte in value.utf8 {
                // UTF-8 continuation and lead bytes never equal these ASCII bytes.
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
                if byte == 0 {
                    out.append(contentsOf: [0xEF, 0xBF, 0xBD])
                } else {
                    out.append(byte)
                }
            }
            out.append(UInt8(ascii: "\""))
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }
}
