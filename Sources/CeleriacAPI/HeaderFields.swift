// Celeriac — a Celery-compatible job service in Swift.

import CeleriacHTTPServer
import Hummingbird

/// Reading a request's header fields by name, whichever path (router or direct) it came by,
/// so a handler both serve reads each header in one place.
protocol HeaderFields {
    /// The first value of field `name` (any case), as sent.
    func first(_ name: String) -> String?
}

extension DirectRequest: HeaderFields {
    func first(_ name: String) -> String? { header(name) }
}

extension Request: HeaderFields {
    func first(_ name: String) -> String? {
        let name = name.lowercased()
        return headers.first { $0.name.canonicalName == name }?.value
    }
}
