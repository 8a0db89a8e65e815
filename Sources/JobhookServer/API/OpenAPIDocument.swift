import JobhookCore

/// The OpenAPI 3.1 description of the API, served at `GET /openapi.json`.
///
/// The source of truth is `Sources/JobhookCore/Resources/openapi.json`: it ships in the resource
/// bundle beside the binary, so the server answers with exactly the file that was reviewed.
/// `docs/openapi.json` is a byte-identical copy for readers of the repository; `OpenAPITests`
/// fails when the two differ, and holds the document's paths and methods against `APIRoute.all`.
public enum OpenAPIDocument {
    /// nil when the resource bundle is missing (a binary copied without it).
    public static let text: String? = BundledResource.text("openapi", extension: "json")
}
