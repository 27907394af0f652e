//! De-duplicating re-checks (of roles, say) that answers trigger.

use std::cell::Cell;

/// At most one re-check in flight, and at most one per burst of triggers:
/// a trigger while one runs joins it, and so does a trigger from a call
/// sent before the last re-check finished (its answer predates it).
///
/// Take an [`epoch`](Self::epoch) when a call leaves; pass it to
/// [`try_start`](Self::try_start) when its answer asks for a re-check.
#[derive(Debug, Default)]
pub struct RecheckGate {
    running: Cell<bool>,
    finished: Cell<u64>,
}

impl RecheckGate {
    /// The epoch to remember for a call leaving now.
    pub fn epoch(&self) -> u64 {
        self.finished.get()
    }

    /// Whether the answer of a call sent at `epoch` starts a re-check now:
    /// none is running and none finished since the call left.
    pub fn try_start(&self, epoch: u64) -> bool {
        if self.running.get() || epoch != self.finished.get() {
            return false;
        }
        self.running.set(true);
        true
    }

    /// The re-check started by [`try_start`](Self::try_start) is over.
    pub fn finish(&self) {
        self.running.set(false);
        self.finished.set(self.finished.get() + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_of_403s_costs_one_recheck() {
        let gate = RecheckGate::default();
        let sent: Vec<_> = (0..5).map(|_| gate.epoch()).collect();
        let started: Vec<_> = sent.iter().map(|&epoch| gate.try_start(epoch)).collect();
        assert_eq!(started, [true, false, false, false, false]);
        gate.finish();
        // Answers of the same burst that arrive after the re-check finished.
        assert!(
            !gate.try_start(sent[0]),
            "answered before the re-check knew"
        );
    }

    #[test]
    fn a_call_sent_after_a_recheck_may_start_the_next() {
        let gate = RecheckGate::default();
        assert!(gate.try_start(gate.epoch()));
        let during = gate.epoch();
        assert!(!gate.try_start(during), "one in flight");
        gate.finish();
        assert!(!gate.try_start(during), "sent before it finished");
        assert!(gate.try_start(gate.epoch()), "a new 403, a new re-check");
    }
}
