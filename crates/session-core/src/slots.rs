//! A first-come, first-served limit on calls in flight, for one thread.

use std::{
    cell::{Cell, RefCell},
    collections::VecDeque,
    rc::Rc,
};

use futures_channel::oneshot;

/// At most `limit` holders at a time; the others wait in arrival order.
pub(super) struct Slots {
    limit: Option<usize>,
    busy: Cell<usize>,
    queue: RefCell<VecDeque<oneshot::Sender<()>>>,
}

impl Slots {
    /// `None`: no limit.
    pub(super) fn new(limit: Option<usize>) -> Rc<Self> {
        Rc::new(Self {
            limit,
            busy: Cell::new(0),
            queue: RefCell::default(),
        })
    }

    /// Waits for a slot; it is freed when the returned guard is dropped.
    /// Cancel-safe: a waiter dropped after being handed a slot passes it on.
    pub(super) async fn acquire(self: &Rc<Self>) -> Slot {
        let Some(limit) = self.limit else {
            return Slot(None);
        };
        if self.busy.get() < limit.max(1) && self.queue.borrow().is_empty() {
            self.busy.set(self.busy.get() + 1);
            return Slot(Some(Rc::clone(self)));
        }
        let (hand_over, handed) = oneshot::channel();
        self.queue.borrow_mut().push_back(hand_over);
        let mut waiting = Waiting {
            handed: Some(handed),
            slots: Rc::clone(self),
        };
        if let Some(handed) = waiting.handed.as_mut() {
            // `release` only ever drops a sender whose receiver is gone.
            let _ = handed.await;
        }
        // The slot is ours now: nothing to pass on when `waiting` drops.
        waiting.handed = None;
        Slot(Some(Rc::clone(self)))
    }

    /// Hands the slot to the next waiter still there, or frees it.
    fn release(&self) {
        loop {
            let next = self.queue.borrow_mut().pop_front();
            match next.map(|waiter| waiter.send(())) {
                Some(Ok(())) => return,
                // That waiter went away: try the next one.
                Some(Err(())) => {}
                None => break,
            }
        }
        self.busy.set(self.busy.get().saturating_sub(1));
    }

    /// Slots in use.
    #[cfg(test)]
    pub(super) fn busy(&self) -> usize {
        self.busy.get()
    }
}

/// A slot; dropping it frees it.
pub(super) struct Slot(Option<Rc<Slots>>);

impl Drop for Slot {
    fn drop(&mut self) {
        if let Some(slots) = self.0.take() {
            slots.release();
        }
    }
}

/// A queued waiter; if it goes away after a slot was handed to it, the slot
/// is passed on.
struct Waiting {
    handed: Option<oneshot::Receiver<()>>,
    slots: Rc<Slots>,
}

impl Drop for Waiting {
    fn drop(&mut self) {
        if let Some(mut handed) = self.handed.take()
            && let Ok(Some(())) = handed.try_recv()
        {
            self.slots.release();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::task::{Context, Poll};

    use futures_util::{FutureExt, task::noop_waker};

    use super::*;

    fn poll<F: std::future::Future + Unpin>(future: &mut F) -> Poll<F::Output> {
        future.poll_unpin(&mut Context::from_waker(&noop_waker()))
    }

    #[test]
    fn holders_beyond_the_limit_wait_in_order() {
        let slots = Slots::new(Some(2));
        let mut first = Box::pin(slots.acquire());
        let mut second = Box::pin(slots.acquire());
        let mut third = Box::pin(slots.acquire());
        let mut fourth = Box::pin(slots.acquire());
        let Poll::Ready(a) = poll(&mut first) else {
            panic!("a free slot")
        };
        let Poll::Ready(b) = poll(&mut second) else {
            panic!("a free slot")
        };
        assert!(poll(&mut third).is_pending());
        assert!(poll(&mut fourth).is_pending());

        drop(a);
        assert!(poll(&mut fourth).is_pending(), "first come, first served");
        let Poll::Ready(c) = poll(&mut third) else {
            panic!("handed over")
        };
        drop((b, c));
        let Poll::Ready(d) = poll(&mut fourth) else {
            panic!("handed over")
        };
        assert_eq!(slots.busy(), 1);
        drop(d);
        assert_eq!(slots.busy(), 0);
    }

    #[test]
    fn a_waiter_that_goes_away_passes_its_slot_on() {
        let slots = Slots::new(Some(1));
        let mut holder = Box::pin(slots.acquire());
        let Poll::Ready(held) = poll(&mut holder) else {
            panic!("a free slot")
        };
        let mut gone = Box::pin(slots.acquire());
        let mut next = Box::pin(slots.acquire());
        assert!(poll(&mut gone).is_pending());
        assert!(poll(&mut next).is_pending());

        drop(held); // handed to `gone`, which is dropped before it runs
        drop(gone);
        let Poll::Ready(slot) = poll(&mut next) else {
            panic!("passed on")
        };
        drop(slot);
        assert_eq!(slots.busy(), 0);
    }

    #[test]
    fn without_a_limit_nobody_waits() {
        let slots = Slots::new(None);
        let held: Vec<_> = (0..100)
            .map(|_| match poll(&mut Box::pin(slots.acquire())) {
                Poll::Ready(slot) => slot,
                Poll::Pending => panic!("no limit"),
            })
            .collect();
        assert_eq!(held.len(), 100);
        assert_eq!(slots.busy(), 0);
    }
}
