//! Each client's share of the workspace's budget: a tab of the extension
//! (a hostile page must not spend what the user's other tabs and their
//! production integration need), a user of the proxy. A client is charged
//! only for what is new to it — asking again for a bot it asked for lately is
//! free (the answer is cached) — and within a short and a long window, so a
//! person hovering IDs never notices, and a script flooding them gets little.
//!
//! Pure, like [`super::budget`]: the clock is a parameter.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;

use super::budget::Bucket;

/// What one client may start.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ShareLimits {
    /// New items per second, and how many may come at once.
    pub per_second: f64,
    pub burst: f64,
    /// New items per minute, over any few minutes (a first minute may take
    /// half as many again).
    pub per_minute: f64,
    /// How long an item stays "asked lately" (free to ask again).
    pub remember_ms: f64,
}

/// A browser tab: a person hovers a new ID every second or two at most.
pub const TAB: ShareLimits = ShareLimits {
    per_second: 1.0,
    burst: 4.0,
    per_minute: 30.0,
    remember_ms: 600_000.0,
};

/// Items one client remembers as asked lately (the oldest go first).
const REMEMBERED: usize = 256;

#[derive(Debug)]
struct Client<I> {
    second: Bucket,
    minute: Bucket,
    /// (item, when asked), oldest first.
    recent: VecDeque<(I, f64)>,
}

/// The shares of every client, keyed by `K`, of items `I` (bot IDs).
#[derive(Debug)]
pub struct Shares<K, I> {
    limits: ShareLimits,
    clients: HashMap<K, Client<I>>,
}

impl<K: Hash + Eq, I: PartialEq> Shares<K, I> {
    pub fn new(limits: ShareLimits) -> Shares<K, I> {
        Shares {
            limits,
            clients: HashMap::new(),
        }
    }

    /// May `client` ask for `item` now? Free when it asked for it lately;
    /// otherwise it costs one of its share, or says how many seconds until
    /// its share allows it.
    pub fn charge(&mut self, client: K, item: I, now_ms: f64) -> Result<(), f64> {
        self.charge_cost(client, item, 1.0, now_ms)
    }

    /// [`charge`](Self::charge) for an item that costs `cost` (the calls it
    /// makes: a bot no region is known for is asked in each).
    pub fn charge_cost(&mut self, client: K, item: I, cost: f64, now_ms: f64) -> Result<(), f64> {
        let l = self.limits;
        let c = self.clients.entry(client).or_insert_with(|| Client {
            second: Bucket::full(l.burst, now_ms),
            minute: Bucket::full(l.per_minute / 2.0, now_ms),
            recent: VecDeque::new(),
        });
        while c
            .recent
            .front()
            .is_some_and(|(_, at)| now_ms - at > l.remember_ms)
        {
            c.recent.pop_front();
        }
        if c.recent.iter().any(|(i, _)| *i == item) {
            return Ok(());
        }
        // Both windows must allow it; a refusal by the long one gives back
        // the short one's token, so waiting is not charged twice.
        let mut second = c.second;
        second.take_n(cost, l.per_second, l.burst, now_ms)?;
        c.minute
            .take_n(cost, l.per_minute / 60.0, l.per_minute / 2.0, now_ms)?;
        c.second = second;
        if c.recent.len() == REMEMBERED {
            c.recent.pop_front();
        }
        c.recent.push_back((item, now_ms));
        Ok(())
    }

    /// The client is gone (its tab closed): its share goes with it.
    pub fn forget(&mut self, client: &K) {
        self.clients.remove(client);
    }

    /// How many clients are remembered.
    pub fn len(&self) -> usize {
        self.clients.len()
    }

    pub fn is_empty(&self) -> bool {
        self.clients.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_hovering_is_never_held_back() {
        let mut shares = Shares::new(TAB);
        // A new ID every 2.5 s for ten minutes, each hovered three times.
        for n in 0..240 {
            let now = f64::from(n) * 2_500.0;
            for again in 0..3 {
                assert_eq!(
                    shares.charge(1, n, now + f64::from(again) * 100.0),
                    Ok(()),
                    "{n}"
                );
            }
        }
    }

    #[test]
    fn a_flood_gets_its_share_and_no_more() {
        let mut shares = Shares::new(TAB);
        // 300 new IDs within three seconds.
        let allowed = (0..300)
            .filter(|&n| shares.charge("tab", n, f64::from(n) * 10.0).is_ok())
            .count();
        assert_eq!(allowed, 4 + 2, "the burst, then one a second");
        // Ten minutes of flooding, a new ID every 10 ms: the per-minute share.
        let mut shares = Shares::new(TAB);
        let allowed = (0..60_000)
            .filter(|&n| shares.charge("tab", n, f64::from(n) * 10.0).is_ok())
            .count();
        assert!(allowed <= 15 + 10 * 30, "{allowed}");
        let first_minute = {
            let mut shares = Shares::new(TAB);
            (0..6_000)
                .filter(|&n| shares.charge("tab", n, f64::from(n) * 10.0).is_ok())
                .count()
        };
        assert!(first_minute <= 45, "{first_minute}");
        // Another tab is untouched by it.
        assert_eq!(shares.charge("other", 0, 60_000.0), Ok(()));
    }

    #[test]
    fn a_refusal_says_when_to_ask_again_and_forgetting_frees_memory() {
        let mut shares = Shares::new(TAB);
        for n in 0..4 {
            shares.charge(7, n, 0.0).unwrap();
        }
        let wait = shares.charge(7, 99, 0.0).unwrap_err();
        assert!((wait - 1.0).abs() < 1e-9, "{wait}");
        assert_eq!(shares.charge(7, 2, 0.0), Ok(()), "asked lately: free");
        shares.forget(&7);
        assert!(shares.is_empty());
    }
}
