import CCE
import Foundation
import FuzzSupport
@testable import JobhookCore

/// Template rendering and our JSON encoding, with event text from the fuzzer (the job's reason,
/// message, name, an `extendParam` entry) and one template and one `body:` key from it too. Oracles:
/// every body we send — `body:` rendered, `body_text` with JSON-string escaping, jobhook's event
/// document, each preset's vendor JSON — is RFC 8259 JSON, and reading it back gives the inputs
/// byte for byte; a templated header value never carries CR or LF.
///
/// Fields, split at 0x1E: template, reason, message, resource name, extend key, extend value, body key, number.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTemplateBody(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let input = FuzzFields(fuzzInput(start, count))
    let (source, reason, message, name, extendKey, extendValue, bodyKey) =
        (input[0], input[1], input[2], input[3], input[4], input[5], input[6])
    let job = Job(uid: "job-1", type: "CreateCluster", phase: "Failed", reason: reason, message: message,
                  clusterID: "cluster-1", resourceName: name, extendParam: [extendKey: extendValue])
    let change = PhaseChange(rootID: "job-1", uid: "job-1", level: .job, from: "Running", to: "Failed",
                             job: job, parent: nil, root: job, detectedAt: Date(timeIntervalSince1970: 1_700_000_000))
    let context = TemplateContext(change: change, rule: "fuzz", receiver: "hook", eventID: "event-1",
                                  region: "cn-north-4", projectID: "p-1")
    let object = context.value.mustacheObject ?? [String: Any]()

    // jobhook's own event document.
    let document = parse(EventDocument.render(context), "event document")
    let jobFields = (document as? [String: Any])?["job"] as? [String: Any]
    expect(jobFields?["reason"], reason, "event document job.reason")
    expect(jobFields?["message"], message, "event document job.message")
    expect(jobFields?["resource_name"], name, "event document job.resource_name")
    expect((jobFields?["extend"] as? [String: Any])?[extendKey], extendValue, "event document job.extend")

    // `body:` from YAML: the fuzzer's template and key beside fixed leaves.
    let template = try? Template(source)
    let key = ["reason", "number", "list"].contains(bodyKey) ? "_" + bodyKey : bodyKey
    var members = [
        BodyTemplate.Member(key: "reason", value: .string(try! Template("{{job.reason}}"))),
        BodyTemplate.Member(key: "list", value: .array([.string(try! Template("{{job.message}}")), .bool(true), .null])),
    ]
    if let template { members.append(.init(key: key, value: .string(template))) }
    let number = Double(input[7])
    if let number { members.append(.init(key: "number", value: .double(number))) }
    let body = parse(BodyTemplate.object(members).render(object: object), "body") as? [String: Any]
    expect(body?["reason"], reason, "body.reason")
    expect((body?["list"] as? [Any])?.first, message, "body.list[0]")
    if let template { expect(body?[key], template.render(object: object), "body[\(key.debugDescription)] (template \(source.debugDescription))") }
    if let number, number.isFinite {
        let read = (body?["number"] as? NSNumber)?.doubleValue
        oracle(read == number, "body.number \(number) read back as \(String(describing: read))")
    }

    // `body_text` with a JSON content type: values escaped for the inside of a string literal.
    let text = try! Template(#"{"text":"{{job.message}}|{{job.reason}}|{{job.extend.__k}}"}"#, escaping: .jsonString)
    var withKey = object as? [String: Any] ?? [:]
    withKey["job"] = (withKey["job"] as? [String: Any] ?? [:]).merging(["extend": ["__k": extendValue]]) { $1 }
    let bodyText = parse(text.render(object: withKey), "body_text") as? [String: Any]
    expect(bodyText?["text"], "\(message)|\(reason)|\(extendValue)", "body_text.text")

    // Each vendor's JSON around the rendered message, cut to its size limit.
    let rendered = template?.render(object: object) ?? message
    for preset in PresetRegistry.all where preset.sendsMessage {
        _ = parse(preset.body(PresetMessage(text: rendered, title: name.isEmpty ? nil : name, phase: "Failed")), "preset \(preset.name)")
    }

    let header = Renderer.stripLineBreaks(reason)
    oracle(!header.utf8.contains(0x0D) && !header.utf8.contains(0x0A), "header value keeps a line break")
    return 0
}

/// The program's `main` (SwiftPM links `main=FuzzTemplateBody_main`): hands over to libFuzzer.
@_cdecl("FuzzTemplateBody_main")
public func fuzzTemplateBodyMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, size in fuzzTemplateBody(data.map(UnsafeRawPointer.init), size) }
}

/// Strictly valid JSON, read back with `JSONSerialization`.
func parse(_ json: String, _ what: String) -> Any? {
    oracle(StrictJSON.isValid(Array(json.utf8)), "\(what) is not RFC 8259 JSON: \(json.debugDescription)")
    do {
        return try JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed])
    } catch {
        oracleFailed("\(what) does not read back (\(error)): \(json.debugDescription)")
    }
}

/// A string read back from JSON equals the input, byte for byte. Empty strings may be absent:
/// the context leaves them out so sections on them stay closed.
func expect(_ value: Any?, _ expected: String, _ what: String) {
    let read = value as? String ?? ""
    oracle(Array(read.utf8) == Array(expected.utf8), "\(what): wrote \(expected.debugDescription), read back \(read.debugDescription)")
}
