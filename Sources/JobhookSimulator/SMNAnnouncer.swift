import Foundation
import Logging
import ServiceLifecycle

/// With `smn:`, publishes a notification for every job when its timeline begins (scenario time, so
/// `speed` applies), scenario jobs and `POST /sim/jobs` additions alike, as CTS would on the API call
/// that started it; a `SubscriptionConfirmation` goes first when `smn.confirm` is set. Runs beside the
/// HTTP server in the application's service group; deliveries run concurrently so that a slow or
/// down subscriber delays no other job's announcement.
struct SMNAnnouncer: Service {
    let state: SimulatorState
    let publisher: SMNPublisher
    let logger: Logger
    /// The longest sleep between looks at the queue: jobs added at run time are seen this quickly.
    var idle: Duration = .milliseconds(50)

    func run() async throws {
        // subscribe_url and signing_cert_url name the simulator's address, known once it listens.
        while await publisher.baseURL == nil {
            guard (try? await Task.sleep(for: .milliseconds(10))) != nil, !Task.isShuttingDownGracefully else { return }
        }
        do {
            _ = try await publisher.prepare()
        } catch {
            logger.error("SMN publishing is off: \(error.description)")
            return
        }
        let confirms = publisher.config?.confirm == true
        await cancelWhenGracefulShutdown {
            var confirmed = !confirms
            await withDiscardingTaskGroup { group in
                while !Task.isCancelled {
                    let (due, wait) = await state.dueAnnouncements()
                    if !due.isEmpty, !confirmed {
                        confirmed = true
                        await announceConfirmation()
                    }
                    for (job, began) in due {
                        group.addTask { await announce(job, began: began) }
                    }
                    let nap = min(wait ?? idle, idle)
                    if (try? await Task.sleep(for: nap)) == nil { break }
                }
            }
        }
    }

    private func announceConfirmation() async {
        do {
            await publisher.deliver(try await publisher.confirmation(.subscriptionConfirmation))
        } catch {
            logger.error("SMN confirmation not signed", metadata: ["error": "\(error)"])
        }
    }

    private func announce(_ job: Scenario.ScriptedJob, began: Date) async {
        do {
            await publisher.deliver(try await publisher.notification(for: job, calledAt: began))
        } catch {
            logger.error("SMN notification not signed", metadata: ["job": "\(job.id)", "error": "\(error)"])
        }
    }
}
