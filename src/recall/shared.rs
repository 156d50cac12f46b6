//! State a channel keeps between requests (its look-up memory, its budget):
//! a `RefCell` on the browser's one thread, a `Mutex` in native tasks. The
//! core only asks to use it for a moment, never across a request.

use std::cell::RefCell;
use std::sync::{Mutex, PoisonError};

pub trait Shared<T> {
    fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R;
}

impl<T> Shared<T> for RefCell<T> {
    fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        f(&mut self.borrow_mut())
    }
}

impl<T> Shared<T> for Mutex<T> {
    fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        f(&mut self.lock().unwrap_or_else(PoisonError::into_inner))
    }
}
