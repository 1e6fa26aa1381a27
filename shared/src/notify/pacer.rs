//! Telegram's flood limits, kept by the sender: about 30 messages a second from a bot in all,
//! and about one a second to one chat (bursts are answered 429 with `retry_after`). Every
//! message the notifier sends (each part of a long notice, each album) first takes a slot here:
//! at most [`PER_SECOND`] a second in the whole instance — one message a tick of a second's
//! [`PER_SECOND`]th, each tick given once, the earliest free one after what the chat allows —
//! and at most [`PER_CHAT`] to one chat in any [`CHAT_SPAN`] (a sliding window: never more in
//! any span than the limit, which is how Telegram counts). A slot is a moment to send at; the
//! caller sleeps until it.
//!
//! The notifier's instances pace alone: the template runs one instance per stream shard
//! (`ParallelizationFactor: 1`), and the README does the arithmetic of shards × this rate.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// Messages a second from one notifier instance: below Telegram's 30, so a webhook's answers
/// (which ride in HTTP responses and count too) and a second shard's burst leave headroom.
pub const PER_SECOND: usize = 25;

/// Messages to one chat in any [`CHAT_SPAN`]: a small burst, then about one a second.
pub const PER_CHAT: usize = 3;

/// Telegram's "about one a second" per chat, as three in any three seconds, with a margin for
/// the clocks of the two ends.
pub const CHAT_SPAN: Duration = Duration::from_millis(3_100);

/// The moments of the last sends, for "at most `max` in any `span`".
#[derive(Debug)]
struct Window {
    max: usize,
    span: Duration,
    /// Slots given, oldest first (some may be in the future).
    slots: VecDeque<Instant>,
}

impl Window {
    fn new(max: usize, span: Duration) -> Self {
        Window { max: max.max(1), span, slots: VecDeque::new() }
    }

    /// The earliest moment from `from` on that keeps the window's limit.
    fn earliest(&mut self, from: Instant) -> Instant {
        while self.slots.front().is_some_and(|oldest| from.saturating_duration_since(*oldest) >= self.span) {
            self.slots.pop_front();
        }
        match self.slots.len().checked_sub(self.max) {
            Some(at) => from.max(self.slots[at] + self.span),
            None => from,
        }
    }

    fn take(&mut self, slot: Instant) {
        self.slots.push_back(slot);
    }
}

/// The instance's ticks: tick `n` is `origin + n × tick`; each carries one message.
#[derive(Debug)]
struct Ticks {
    origin: Instant,
    tick: Duration,
    taken: BTreeSet<u64>,
}

impl Ticks {
    /// Takes the earliest free tick at or after `from`, unless it is after `until`; its moment.
    fn take(&mut self, from: Instant, now: Instant, until: Option<Instant>) -> Option<Instant> {
        let index = |at: Instant| at.saturating_duration_since(self.origin).as_nanos().div_ceil(self.tick.as_nanos());
        let past = u64::try_from(index(now)).unwrap_or(u64::MAX);
        self.taken = self.taken.split_off(&past);
        let mut tick = u64::try_from(index(from)).unwrap_or(u64::MAX);
        while self.taken.contains(&tick) {
            tick += 1;
        }
        let at = self.origin + self.tick * u32::try_from(tick).unwrap_or(u32::MAX);
        if until.is_some_and(|until| at > until) {
            return None;
        }
        self.taken.insert(tick);
        Some(at)
    }
}

/// The pacing of one notifier instance (made once per container, shared by every send).
#[derive(Debug)]
pub struct Pacer {
    state: Mutex<(Ticks, HashMap<i64, Window>)>,
    per_chat: (usize, Duration),
}

impl Default for Pacer {
    fn default() -> Self {
        Pacer::new(PER_SECOND, (PER_CHAT, CHAT_SPAN))
    }
}

impl Pacer {
    /// At most `per_second` messages a second, evenly spaced, and `per_chat.0` to one chat in any
    /// `per_chat.1`.
    pub fn new(per_second: usize, per_chat: (usize, Duration)) -> Self {
        let tick = Duration::from_secs(1) / u32::try_from(per_second.max(1)).unwrap_or(u32::MAX);
        let ticks = Ticks { origin: Instant::now(), tick, taken: BTreeSet::new() };
        Pacer { state: Mutex::new((ticks, HashMap::new())), per_chat }
    }

    /// Takes the next slot for a message to `chat` and waits for it, if it comes within
    /// `limit`; `false` (nothing taken, no wait) if it does not.
    pub async fn wait_within(&self, chat: i64, limit: Duration) -> bool {
        let now = Instant::now();
        match self.slot(chat, now, Some(now + limit)) {
            Some(slot) => {
                tokio::time::sleep_until(slot).await;
                true
            }
            None => false,
        }
    }

    /// The moment a message to `chat` asked for at `now` may go, taken — unless it is after
    /// `until`. One chat's messages ask in order (one notice after another), so its window's
    /// slots only grow.
    fn slot(&self, chat: i64, now: Instant, until: Option<Instant>) -> Option<Instant> {
        let mut state = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let (ticks, chats) = &mut *state;
        // Chats long quiet hold nothing worth keeping.
        if chats.len() > 10_000 {
            chats.retain(|_, w| w.slots.back().is_some_and(|last| now.saturating_duration_since(*last) < w.span));
        }
        let (max, span) = self.per_chat;
        let window = chats.entry(chat).or_insert_with(|| Window::new(max, span));
        let slot = ticks.take(window.earliest(now), now, until)?;
        window.take(slot);
        Some(slot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How many of `slots` fall in any `span`, at most.
    fn most_in_any(slots: &[Instant], span: Duration) -> usize {
        slots
            .iter()
            .map(|start| slots.iter().filter(|s| **s >= *start && **s - *start < span).count())
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn one_chat_gets_a_burst_then_about_one_a_second() {
        let pacer = Pacer::default();
        let now = Instant::now();
        let slots: Vec<Instant> = (0..20).map(|_| pacer.slot(7, now, None).unwrap()).collect();
        assert!(slots[2] - now < Duration::from_millis(200), "a burst of three at once (a tick apart)");
        assert!(most_in_any(&slots, CHAT_SPAN) <= PER_CHAT);
        let last = slots[19] - now;
        assert!(last >= CHAT_SPAN * 6 && last < CHAT_SPAN * 7, "the 20th after six spans: {last:?}");
    }

    #[test]
    fn many_chats_share_the_instances_rate() {
        let pacer = Pacer::default();
        let now = Instant::now();
        let slots: Vec<Instant> = (0..60).map(|chat| pacer.slot(chat, now, None).unwrap()).collect();
        assert!(most_in_any(&slots, Duration::from_secs(1)) <= PER_SECOND);
        let last = *slots.iter().max().unwrap() - now;
        assert!(last >= Duration::from_secs(2) && last < Duration::from_secs(3), "60 at 25 a second: {last:?}");
    }

    #[test]
    fn a_slot_past_the_limit_is_not_taken() {
        let pacer = Pacer::default();
        let now = Instant::now();
        for _ in 0..PER_CHAT {
            assert!(pacer.slot(7, now, Some(now + Duration::from_secs(1))).is_some());
        }
        assert_eq!(pacer.slot(7, now, Some(now + Duration::from_secs(1))), None, "the chat's next is 3 s away");
        assert!(pacer.slot(8, now, Some(now + Duration::from_secs(1))).is_some(), "another chat's is not");
        assert!(pacer.slot(7, now, None).unwrap() >= now + CHAT_SPAN, "nothing was taken for the refused one");
    }

    #[test]
    fn both_limits_hold_together() {
        let pacer = Pacer::new(4, (2, Duration::from_secs(2)));
        let now = Instant::now();
        let mut by_chat: HashMap<i64, Vec<Instant>> = HashMap::new();
        let mut all = vec![];
        for i in 0..40 {
            let chat = i % 3;
            let slot = pacer.slot(chat, now + Duration::from_millis(i as u64 * 10), None).unwrap();
            by_chat.entry(chat).or_default().push(slot);
            all.push(slot);
        }
        assert!(most_in_any(&all, Duration::from_secs(1)) <= 4);
        for slots in by_chat.values() {
            assert!(most_in_any(slots, Duration::from_secs(2)) <= 2);
        }
    }
}
