//! The proxy's accept loop, where axum's `serve` has no say: a client that
//! sends its headers slowly is cut off, the number of connections is capped
//! (in all, and per address), and on Ctrl-C or SIGTERM no new connection is
//! taken while those open finish.

use std::cell::RefCell;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use prometheus_client::metrics::gauge::Gauge;
use tokio::net::TcpListener;

use super::Front;

/// The limits of the loop.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Time to send a request's headers.
    pub header_read: Duration,
    /// The longest a connection stays open.
    pub connection: Duration,
    /// Connections open at once, in all and from one address.
    pub max_connections: usize,
    pub max_per_client: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_read: Duration::from_secs(10),
            connection: Duration::from_secs(120),
            max_connections: 4096,
            max_per_client: 64,
        }
    }
}

/// Serve `front` on `listener` until `shutdown` resolves, then let open connections finish.
pub async fn serve(
    listener: TcpListener,
    front: Front,
    limits: Limits,
    connections: Gauge,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let open: Arc<Mutex<HashMap<IpAddr, usize>>> = Arc::default();
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let workers = Worker::start(cores);
    if workers.is_empty() {
        return;
    }
    let mut next = 0;
    let graceful = GracefulShutdown::new();
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read)
        // The body goes out beside the headers in one writev, not copied after them.
        .writev(true);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(_) => continue, // out of descriptors for a moment: try again
            },
            () = &mut shutdown => break,
        };
        let Some(slot) = Slot::take(&open, peer.ip(), limits, &connections) else {
            drop(stream); // over the cap: closed at once
            continue;
        };
        let service = Connection(RefCell::new(front.for_peer(peer)));
        // Registered with the worker's own reactor (not this loop's), so its
        // readiness never has to cross threads.
        let Ok(stream) = stream.into_std() else {
            continue;
        };
        let builder = builder.clone();
        let watcher = graceful.watcher();
        next = (next + 1) % workers.len();
        workers[next].handle.spawn(async move {
            let Ok(stream) = tokio::net::TcpStream::from_std(stream) else {
                return;
            };
            let connection = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
            let _ = tokio::time::timeout(limits.connection, watcher.watch(connection)).await;
            drop(slot);
        });
    }
    let _ = tokio::time::timeout(Duration::from_secs(10), graceful.shutdown()).await;
    drop(workers);
}

/// One connection's front, as hyper calls it. HTTP/1 asks one request at a
/// time, and a connection lives on one thread, so the front is borrowed for
/// each call rather than cloned (a clone per request was a tenth of the
/// proxy's work on a cache hit).
struct Connection(RefCell<Front>);

impl hyper::service::Service<hyper::Request<Incoming>> for Connection {
    type Response = axum::response::Response;
    type Error = std::convert::Infallible;
    type Future = <Front as tower::Service<hyper::Request<Incoming>>>::Future;

    fn call(&self, request: hyper::Request<Incoming>) -> Self::Future {
        // `Front` is always ready (its `poll_ready` says so): no need to ask.
        tower::Service::call(&mut *self.0.borrow_mut(), request)
    }
}

/// A thread running one single-threaded runtime: a connection lives on one
/// of these from start to end, as in nginx's worker processes, so serving it
/// never wakes another thread (on two cores that halved the time spent in the
/// kernel's scheduler; docs/proxy.md has the figures).
struct Worker {
    handle: tokio::runtime::Handle,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Worker {
    fn start(n: usize) -> Vec<Worker> {
        (0..n)
            .filter_map(|i| {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .ok()?;
                let handle = runtime.handle().clone();
                let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
                let thread = std::thread::Builder::new()
                    .name(format!("botlens-proxy-{i}"))
                    .spawn(move || {
                        let _ = runtime.block_on(stopped);
                    })
                    .ok()?;
                Some(Worker {
                    handle,
                    stop: Some(stop),
                    thread: Some(thread),
                })
            })
            .collect()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// One open connection, counted until dropped.
struct Slot {
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
    ip: IpAddr,
    gauge: Gauge,
}

impl Slot {
    fn take(
        open: &Arc<Mutex<HashMap<IpAddr, usize>>>,
        ip: IpAddr,
        limits: Limits,
        gauge: &Gauge,
    ) -> Option<Slot> {
        let mut counts = open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let total: usize = counts.values().sum();
        let mine = counts.entry(ip).or_insert(0);
        if total >= limits.max_connections || *mine >= limits.max_per_client {
            return None;
        }
        *mine += 1;
        gauge.inc();
        Some(Slot {
            open: Arc::clone(open),
            ip,
            gauge: gauge.clone(),
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.gauge.dec();
        let mut counts = self
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(n) = counts.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                counts.remove(&self.ip);
            }
        }
    }
}
