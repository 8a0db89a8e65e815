import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Hummingbird answers bytes it cannot parse as HTTP (a bad method, a header over 80 KiB, a
/// Content-Length beside Transfer-Encoding) with a bare 400 and no body. This handler answers such
/// a parse error with the API's JSON error instead, then closes the connection: at once between
/// requests, or right after the answer to a request already read whole (garbage pipelined after
/// it). A parse error inside a body still being read goes on to the handler reading it, whose
/// answer `APIErrorMiddleware` makes.
final class MalformedRequestHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// A head was read and its end not yet.
    private var readingRequest = false
    /// A head was read and the end of its answer not yet written.
    private var answerPending = false
    /// A parse error that waits for the pending answer to go out first.
    private var deferred: HTTPParserError?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            readingRequest = true
            answerPending = true
        case .body:
            break
        case .end:
            readingRequest = false
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .end = unwrapOutboundIn(data) else {
            context.write(data, promise: promise)
            return
        }
        answerPending = false
        context.write(data, promise: promise)
        if let error = deferred {
            deferred = nil
            answer(error, context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parseError = error as? HTTPParserError, !readingRequest else {
            context.fireErrorCaught(error)
            return
        }
        if answerPending {
            deferred = parseError
        } else {
            answer(parseError, context: context)
        }
    }

    private func answer(_ error: HTTPParserError, context: ChannelHandlerContext) {
        var body = (try? JSONResponse.encoder.encode(ErrorBody(error: "malformed HTTP request: \(error)"))) ?? Data()
        body.append(0x0A)
        let head = HTTPResponse(status: .badRequest, headerFields: [
            .contentType: "application/json; charset=utf-8", .contentLength: String(body.count), .connection: "close",
        ])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(context.channel.allocator.buffer(bytes: body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }
}
