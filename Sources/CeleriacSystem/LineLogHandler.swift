// Celeriac — a Celery-compatible job service in Swift.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
public import CeleriacCore
public import Logging

/// One log line per event on standard error: human-readable text (development) or a JSON
/// object per line (`CELERIAC_LOG_FORMAT=json`, for log shippers).
///
/// Metadata is kept as given and formatted only when a line is written: the HTTP server sets
/// a request id on every request's logger, and swift-log's `StreamLogHandler` formatted its
/// whole metadata on each such change (a few per cent of the api's CPU under load).
public struct LineLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info
    let label: String
    let format: LogFormat
    let write: @Sendable ([UInt8]) -> Void

    /// - Parameter write: where finished lines go (standard error unless a test captures them).
    public init(label: String, format: LogFormat, write: @escaping @Sendable ([UInt8]) -> Void = LineLogHandler.standardError) {
        self.label = label
        self.format = format
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { _, new in new } }
        if let explicit = event.metadata { all.merge(explicit) { _, new in new } }
        let time = CeleryTime.format(Date())
        switch format {
        case .text: write(textLine(event, all, time))
        case .json: write(jsonLine(event, all, time))
        }
    }

    private func textLine(_ event: LogEvent, _ metadata: Logger.Metadata, _ time: String) -> [UInt8] {
        var line = "\(time) \(event.level) \(label):"
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) { line += " \(key)=\(value)" }
        line += " [\(event.source)] \(event.message)\n"
        return Array(line.utf8)
    }

    private func jsonLine(_ event: LogEvent, _ metadata: Logger.Metadata, _ time: String) -> [UInt8] {
        var writer = JSONWriter()
        writer.raw(#"{"time": "#)
        writer.writeString(time)
        writer.raw(#", "level": "#)
        writer.writeString(event.level.rawValue)
        writer.raw(#", "logger": "#)
        writer.writeString(label)
        writer.raw(#", "source": "#)
        writer.writeString(event.source)
        writer.raw(#", "message": "#)
        writer.writeString(event.message.description)
        if !metadata.isEmpty {
            writer.raw(#", "metadata": "#)
            writer.write(Self.json(.dictionary(metadata)))
        }
        writer.raw("}\n")
        return Array(writer.output.utf8)
    }

    private static func json(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case .string(let text): .string(text)
        case .stringConvertible(let value): .string(value.description)
        case .array(let items): .array(items.map(json))
        case .dictionary(let entries): .object(entries.mapValues(json))
        }
    }

    /// Writes a whole line with one `write(2)`, so lines from many threads never interleave.
    public static let standardError: @Sendable ([UInt8]) -> Void = { bytes in writeAll(bytes, to: 2) }
}

private func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
    bytes.withUnsafeBytes { buffer in
        var offset = 0
        while offset < buffer.count {
            let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            if written > 0 {
                offset += written
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                return  // nowhere to report a failing stderr
            }
        }
    }
}

extension LineLogHandler {
    /// Makes every logger of the process a line logger in `settings`' format, and returns
    /// the process's own logger at `settings`' level (each executable starts with this).
    public static func bootstrap(_ settings: Settings, label: String) -> Logger {
        LoggingSystem.bootstrap { [format = settings.logFormat] label in LineLogHandler(label: label, format: format) }
        var logger = Logger(label: label)
        logger.logLevel = Logger.Level(rawValue: settings.logLevel) ?? .info  // validated by Settings
        return logger
    }
}
