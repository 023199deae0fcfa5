// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where a backup goes and which old ones go away.
extension BackupJob {
    /// `base/relative`, created if missing, and still under `base` once symbolic links are
    /// followed.
    static func folder(base: String, relative: String) throws -> String {
        let folder = relative.isEmpty ? base : "\(base)/\(relative)"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        guard let realBase = realpath(base, nil), let realFolder = realpath(folder, nil) else {
            throw JobFailure(type: "FileNotFoundError", message: "backup directory \(relative) cannot be made", retryable: false)
        }
        defer {
            free(realBase)
            free(realFolder)
        }
        let baseText = String(cString: realBase), folderText = String(cString: realFolder)
        guard folderText == baseText || folderText.hasPrefix(baseText + "/") else {
            throw JobFailure(type: "PermissionError", message: "backup directory \(relative) leads outside CELERIAC_BACKUP_DIR", retryable: false)
        }
        return folderText
    }

    /// `20261205T030000.123Z`: sorts as time does.
    static func stamp(_ date: Date) -> String {
        let text = CeleryTime.format(date)  // 2026-12-05T03:00:00.123456+00:00
        return text.prefix(10).replacing("-", with: "") + "T" + text.dropFirst(11).prefix(12).replacing(":", with: "") + "Z"
    }

    /// A database name as a file name: letters, digits, `_`, `-`, `.`; others become `_`.
    static func safe(_ name: String) -> String {
        String(name.unicodeScalars.prefix(63).map { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "_-.".unicodeScalars.contains(scalar))
                ? Character(scalar) : "_"
        })
    }

    /// Removes this database's backups beyond the newest `keep` and those older than
    /// `olderThan`, with their sidecars. Returns the names removed.
    static func prune(folder: String, prefix: String, keep: Int, olderThan: Date?) -> [String] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasPrefix(prefix) && $0.hasSuffix(".sql.gz") }.sorted(by: >)
        var removed: [String] = []
        for (index, name) in names.enumerated() {
            var tooOld = false
            if let olderThan, let made = try? FileManager.default.attributesOfItem(atPath: "\(folder)/\(name)")[.modificationDate] as? Date {
                tooOld = made < olderThan
            }
            guard index >= keep || (tooOld && index > 0) else { continue }
            try? FileManager.default.removeItem(atPath: "\(folder)/\(name)")
            try? FileManager.default.removeItem(atPath: "\(folder)/\(name).sha256")
            removed.append(name)
        }
        return removed
    }
}
