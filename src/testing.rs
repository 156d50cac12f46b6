//! Helpers for the core's unit tests.

/// Run a future that never waits: the scripted transports and clocks of the
/// tests answer at once, so one poll finishes it.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let waker = std::task::Waker::noop();
    match f.as_mut().poll(&mut std::task::Context::from_waker(waker)) {
        std::task::Poll::Ready(v) => v,
        std::task::Poll::Pending => panic!("a scripted future pended"),
    }
}
