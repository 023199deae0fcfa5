// Celeriac — a Celery-compatible job service in Swift.

/// The templates every worker has: `verification`, `password_reset`, `reminder` and
/// `broadcast`. Each reads `recipient.name` and `app_name` when given; docs/jobs.md lists
/// the variables of each. Their text part is derived from the HTML.
enum BuiltInMailTemplates {
    struct Parts {
        var subject: String
        var html: String
    }

    static let all: [String: Parts] = [
        "verification": Parts(
            subject: "Confirm your email address{{#app_name}} for {{app_name}}{{/app_name}}",
            html: page("""
                <p>Please confirm that this is your email address by opening the link below.</p>
                <p><a href="{{url}}">Confirm my email address</a></p>
                {{#code}}<p>Or enter this code: <strong>{{code}}</strong></p>{{/code}}
                <p>If you did not ask for this, you can ignore this message.</p>
                """)),
        "password_reset": Parts(
            subject: "Reset your password{{#app_name}} for {{app_name}}{{/app_name}}",
            html: page("""
                <p>Someone asked to reset the password of your account. To choose a new one, open the link below{{#expires_in}} within {{expires_in}}{{/expires_in}}.</p>
                <p><a href="{{url}}">Reset my password</a></p>
                <p>If it was not you, ignore this message: your password stays as it is.</p>
                """)),
        "reminder": Parts(
            subject: "{{title}}",
            html: page("""
                <p>{{message}}</p>
                {{#url}}<p><a href="{{url}}">{{#action}}{{action}}{{/action}}{{^action}}Open{{/action}}</a></p>{{/url}}
                """)),
        "broadcast": Parts(
            subject: "{{title}}",
            html: page("""
                {{#paragraphs}}<p>{{.}}</p>
                {{/paragraphs}}{{^paragraphs}}<p>{{body}}</p>{{/paragraphs}}
                {{#url}}<p><a href="{{url}}">{{#action}}{{action}}{{/action}}{{^action}}Read more{{/action}}</a></p>{{/url}}
                {{#unsubscribe_url}}<p><small><a href="{{unsubscribe_url}}">Unsubscribe</a></small></p>{{/unsubscribe_url}}
                """)),
    ]

    /// The greeting and signature around a body.
    private static func page(_ body: String) -> String {
        """
        <!doctype html>
        <html><body>
        <p>Hello{{#recipient.name}} {{recipient.name}}{{/recipient.name}},</p>
        \(body)
        {{#app_name}}<p>— {{app_name}}</p>{{/app_name}}
        </body></html>
        """
    }
}
