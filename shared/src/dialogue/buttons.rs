//! The inline-button protocol: every press the bot draws, and the `callback_data` it travels as.
//!
//! The wire strings are a contract with chats: buttons drawn before a deploy are pressed after
//! it, so an encoding never changes (a new press gets a new prefix). Every encoding fits
//! Telegram's 64 bytes, and [`Press::parse`] accepts exactly what [`Press::encode`] writes.
//! Which press does what in which dialogue state is decided in one place: `route_press` in
//! `dialogue/mod.rs`.

use crate::texts::Lang;
use std::str::FromStr;

/// An inline-button press the bot drew.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Press {
    /// `co:<contact id>`: a company chosen for a phone of several companies' contacts; the id
    /// is the company's contact person.
    ChooseCompany(String),
    /// `na:new`: "➕ Новая заявка", answering "new or attach?".
    NewTicket,
    /// `na:att`: "💬 Прикрепить к заявке", answering "new or attach?".
    Attach,
    /// `<list tag>:<ticket id>`: a ticket picked from a list.
    Pick(TicketList, u64),
    /// `pg:<list tag>:<page>`: another page of a list (from 0).
    Page(TicketList, usize),
    /// `rt:<ticket id>:<score>`: a score (1-5) of a completed ticket, from its notice.
    Rate(u64, u8),
    /// `ul:yes` / `ul:no`: the answer to `/unlink`'s question.
    Unlink(bool),
    /// `cd:<ticket id>`: «📋 Карточка» on a staff notice: the ticket's card.
    Card(u64),
    /// `lg:<language code>` (`lg:ru`, `lg:en`): «Русский» / «English», answering `/language`.
    Language(Lang),
    /// `sf:<action>:<ticket id>:<version>` (`sf:take:42:3`): a staff action on a staff notice
    /// or card, drawn for the ticket at that version (a press after it changed is stale).
    Staff(StaffAction, u64, u64),
}

/// What an employee does to a ticket from Telegram (who may, when: `dialogue::staff`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffAction {
    /// «🙋 Взять себе»: the presser becomes the assignee (a `new` ticket starts).
    Take,
    /// «▶️ В работу»: `in_progress`.
    Start,
    /// «✅ Выполнено»: `done`.
    Done,
}

impl StaffAction {
    pub const ALL: [StaffAction; 3] = [StaffAction::Take, StaffAction::Start, StaffAction::Done];

    fn tag(self) -> &'static str {
        match self {
            StaffAction::Take => "take",
            StaffAction::Start => "start",
            StaffAction::Done => "done",
        }
    }
}

/// The inline lists of tickets, by what a ticket is picked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketList {
    /// To attach the message waiting for the "new or attach?" choice to.
    Attach,
    /// To see its card.
    Status,
    /// To comment on.
    Comment,
    /// To cancel.
    Cancel,
    /// To ask a question about (completed tickets).
    Question,
    /// An employee's open tickets (`/tickets`), to see the staff card.
    Assigned,
}

const CHOOSE_COMPANY: &str = "co:";
const NEW_TICKET: &str = "na:new";
const ATTACH: &str = "na:att";
const PAGE: &str = "pg:";
const RATE: &str = "rt:";
const UNLINK_YES: &str = "ul:yes";
const UNLINK_NO: &str = "ul:no";
const CARD: &str = "cd:";
const LANGUAGE: &str = "lg:";
const STAFF: &str = "sf:";

/// Every prefix of the protocol, as [`Press::encode`] begins the data of each kind of press
/// (each staff action and each list its own; paging, the same for every list, one). The sample
/// events cover each
/// (`tests/tests/events.rs`).
pub fn prefixes() -> Vec<String> {
    let fixed = [CHOOSE_COMPANY, NEW_TICKET, ATTACH, PAGE, RATE, UNLINK_YES, UNLINK_NO, CARD, LANGUAGE];
    let staff = StaffAction::ALL.iter().map(|action| format!("{STAFF}{}:", action.tag()));
    let lists = TicketList::ALL.iter().map(|list| format!("{}:", list.tag()));
    fixed.into_iter().map(str::to_owned).chain(staff).chain(lists).collect()
}

impl TicketList {
    /// Every list: [`Press::parse`] looks tags up here.
    const ALL: [TicketList; 6] = [
        TicketList::Attach,
        TicketList::Status,
        TicketList::Comment,
        TicketList::Cancel,
        TicketList::Question,
        TicketList::Assigned,
    ];

    fn tag(self) -> &'static str {
        match self {
            TicketList::Attach => "att",
            TicketList::Status => "st",
            TicketList::Comment => "cm",
            TicketList::Cancel => "cx",
            TicketList::Question => "qd",
            TicketList::Assigned => "as",
        }
    }
}

impl Press {
    /// The `callback_data` of the button.
    pub fn encode(&self) -> String {
        match self {
            Press::ChooseCompany(contact_id) => format!("{CHOOSE_COMPANY}{contact_id}"),
            Press::NewTicket => NEW_TICKET.to_owned(),
            Press::Attach => ATTACH.to_owned(),
            Press::Pick(list, id) => format!("{}:{id}", list.tag()),
            Press::Page(list, page) => format!("{PAGE}{}:{page}", list.tag()),
            Press::Rate(id, score) => format!("{RATE}{id}:{score}"),
            Press::Unlink(true) => UNLINK_YES.to_owned(),
            Press::Unlink(false) => UNLINK_NO.to_owned(),
            Press::Card(id) => format!("{CARD}{id}"),
            Press::Language(lang) => format!("{LANGUAGE}{}", lang.code()),
            Press::Staff(action, id, version) => format!("{STAFF}{}:{id}:{version}", action.tag()),
        }
    }

    /// The press `data` encodes; `None` for anything [`Press::encode`] does not write (a forged
    /// or corrupted press, or one of a protocol this bot no longer speaks).
    pub fn parse(data: &str) -> Option<Press> {
        match data {
            NEW_TICKET => return Some(Press::NewTicket),
            ATTACH => return Some(Press::Attach),
            UNLINK_YES => return Some(Press::Unlink(true)),
            UNLINK_NO => return Some(Press::Unlink(false)),
            _ => {}
        }
        if let Some(rest) = data.strip_prefix(RATE) {
            let (id, score) = rest.split_once(':')?;
            let score = decimal(score).filter(|s| crate::domain::Rating::SCORES.contains(s))?;
            return Some(Press::Rate(decimal(id)?, score));
        }
        if let Some(rest) = data.strip_prefix(STAFF) {
            let mut parts = rest.split(':');
            let tag = parts.next()?;
            let action = StaffAction::ALL.into_iter().find(|a| a.tag() == tag)?;
            let (id, version) = (decimal(parts.next()?)?, decimal(parts.next()?)?);
            return parts.next().is_none().then_some(Press::Staff(action, id, version));
        }
        if let Some(code) = data.strip_prefix(LANGUAGE) {
            return Lang::from_code(code).map(Press::Language);
        }
        if let Some(id) = data.strip_prefix(CARD) {
            return decimal(id).map(Press::Card);
        }
        if let Some(contact_id) = data.strip_prefix(CHOOSE_COMPANY) {
            return crate::domain::valid_id(contact_id).then(|| Press::ChooseCompany(contact_id.to_owned()));
        }
        let (paged, rest) = match data.strip_prefix(PAGE) {
            Some(rest) => (true, rest),
            None => (false, data),
        };
        let (tag, number) = rest.split_once(':')?;
        let list = TicketList::ALL.into_iter().find(|list| list.tag() == tag)?;
        if paged {
            Some(Press::Page(list, decimal(number)?))
        } else {
            Some(Press::Pick(list, decimal(number)?))
        }
    }
}

/// A number as [`Press::encode`] writes it: digits only, no sign, no leading zero.
fn decimal<T: FromStr>(digits: &str) -> Option<T> {
    let canonical = digits.bytes().all(|b| b.is_ascii_digit()) && (digits == "0" || !digits.starts_with('0'));
    if canonical {
        digits.parse().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Telegram refuses a button whose `callback_data` is longer.
    const CALLBACK_DATA_MAX: usize = 64;

    /// [`prefixes`] is what the sample events are held to: every press begins with one of them,
    /// and each begins some press.
    #[test]
    fn every_press_begins_with_a_prefix_and_every_prefix_begins_a_press() {
        let mut presses = vec![
            Press::ChooseCompany("c1".into()),
            Press::NewTicket,
            Press::Attach,
            Press::Page(TicketList::Status, 1),
            Press::Rate(1, 5),
            Press::Unlink(true),
            Press::Unlink(false),
            Press::Card(1),
            Press::Language(Lang::Ru),
        ];
        presses.extend(TicketList::ALL.map(|list| Press::Pick(list, 1)));
        presses.extend(StaffAction::ALL.map(|action| Press::Staff(action, 1, 1)));
        for press in &presses {
            // A new kind of press stops this from compiling until it has an example above.
            match press {
                Press::ChooseCompany(_)
                | Press::NewTicket
                | Press::Attach
                | Press::Pick(..)
                | Press::Page(..)
                | Press::Rate(..)
                | Press::Unlink(_)
                | Press::Card(_)
                | Press::Language(_)
                | Press::Staff(..) => {}
            }
        }
        let prefixes = prefixes();
        for press in &presses {
            let data = press.encode();
            assert!(prefixes.iter().any(|p| data.starts_with(p.as_str())), "{data} has no prefix");
        }
        for prefix in &prefixes {
            assert!(presses.iter().any(|p| p.encode().starts_with(prefix.as_str())), "{prefix} begins no press");
        }
    }

    #[test]
    fn the_wire_strings_do_not_change() {
        let cases = [
            (Press::ChooseCompany("c-1.x_Y".into()), "co:c-1.x_Y"),
            (Press::Card(42), "cd:42"),
            (Press::NewTicket, "na:new"),
            (Press::Attach, "na:att"),
            (Press::Pick(TicketList::Attach, 42), "att:42"),
            (Press::Pick(TicketList::Status, 42), "st:42"),
            (Press::Pick(TicketList::Comment, 42), "cm:42"),
            (Press::Pick(TicketList::Cancel, 42), "cx:42"),
            (Press::Pick(TicketList::Question, 42), "qd:42"),
            (Press::Page(TicketList::Attach, 1), "pg:att:1"),
            (Press::Page(TicketList::Status, 0), "pg:st:0"),
            (Press::Page(TicketList::Comment, 2), "pg:cm:2"),
            (Press::Page(TicketList::Cancel, 3), "pg:cx:3"),
            (Press::Page(TicketList::Question, 10), "pg:qd:10"),
            (Press::Rate(42, 1), "rt:42:1"),
            (Press::Rate(42, 5), "rt:42:5"),
            (Press::Unlink(true), "ul:yes"),
            (Press::Unlink(false), "ul:no"),
            (Press::Language(Lang::Ru), "lg:ru"),
            (Press::Language(Lang::En), "lg:en"),
            (Press::Pick(TicketList::Assigned, 42), "as:42"),
            (Press::Page(TicketList::Assigned, 1), "pg:as:1"),
            (Press::Staff(StaffAction::Take, 42, 3), "sf:take:42:3"),
            (Press::Staff(StaffAction::Start, 42, 1), "sf:start:42:1"),
            (Press::Staff(StaffAction::Done, 42, 10), "sf:done:42:10"),
        ];
        for (press, data) in cases {
            assert_eq!(press.encode(), data);
            assert_eq!(Press::parse(data), Some(press));
        }
    }

    #[test]
    fn every_press_survives_the_round_trip_within_telegrams_limit() {
        let longest_contact_id = "Z9._-".repeat(8);
        assert_eq!(longest_contact_id.len(), crate::domain::ID_MAX_LEN);
        let mut presses = vec![
            Press::ChooseCompany("a".into()),
            Press::ChooseCompany(longest_contact_id),
            Press::NewTicket,
            Press::Attach,
        ];
        for list in TicketList::ALL {
            presses.extend([0, 1, u64::MAX].map(|id| Press::Pick(list, id)));
            presses.extend([0, 1, usize::MAX].map(|page| Press::Page(list, page)));
        }
        presses.extend(crate::domain::Rating::SCORES.map(|score| Press::Rate(u64::MAX, score)));
        presses.extend(Lang::ALL.map(Press::Language));
        presses.extend(StaffAction::ALL.map(|action| Press::Staff(action, u64::MAX, u64::MAX)));
        for press in presses {
            let data = press.encode();
            assert!(data.len() <= CALLBACK_DATA_MAX, "{data:?} is {} bytes", data.len());
            assert_eq!(Press::parse(&data), Some(press), "{data:?}");
        }
    }

    #[test]
    fn malformed_data_is_refused() {
        let too_long = format!("co:{}", "a".repeat(crate::domain::ID_MAX_LEN + 1));
        let too_big = format!("st:{}", u128::from(u64::MAX) + 1);
        let malformed = [
            "",
            "co:",
            "co:a b",
            "co:анна",
            "co:a/b",
            too_long.as_str(),
            "na:new ",
            "na:newx",
            "na:",
            "NA:NEW",
            "st:",
            "st:x",
            "st:-1",
            "st:+1",
            "st:1x",
            "st:1 ",
            " st:1",
            "st:01",
            "st:1.5",
            too_big.as_str(),
            "att",
            "att:",
            "xx:1",
            "pg:st:",
            "rt:1:0",
            "rt:1:6",
            "rt:1:05",
            "rt:1",
            "rt::5",
            "pg:st:x",
            "pg:st:1:2",
            "pg:att",
            "pg:co:1",
            "pg:na:1",
            "pg:pg:st:1",
            "lg:",
            "lg:de",
            "lg:EN",
            "lg:en ",
            "sf:",
            "sf:take",
            "sf:take:1",
            "sf:take:1:",
            "sf:take::1",
            "sf:take:1:2:3",
            "sf:take:01:2",
            "sf:take:1:-2",
            "sf:grab:1:2",
            "sf:TAKE:1:2",
            "sf:done:1:2 ",
        ];
        for data in malformed {
            assert_eq!(Press::parse(data), None, "{data:?}");
        }
    }
}
