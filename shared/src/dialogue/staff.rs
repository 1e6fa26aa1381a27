//! Staff in Telegram: which of «🙋 Взять себе», «▶️ В работу» and «✅ Выполнено» an employee's
//! notice or card about a ticket offers, what a press of one does, the staff card, and
//! `/tickets` and `/help` for employees.
//!
//! ```text
//! bot   ⭐ Новое обращение VIP-клиента ООО Ромашка от Анна…   (inline: 🙋 Взять себе | 📋 Карточка)
//! user  <presses «🙋 Взять себе»>                               (the client's manager)
//! bot   🙋 Обращение #42 теперь ваше                            (toast; buttons now ✅ Выполнено | 📋 Карточка)
//! user  /tickets
//! bot   Ваши открытые обращения, новые сверху 👇                (inline: #42 Принтер не печатает | …)
//! ```
//!
//! A press is a staff change like one through `PATCH /tickets/{id}` ([`TicketPatch`]), by
//! `employee:<id>`, written on condition that the ticket is still at the version the button was
//! drawn for: a press on a message the ticket has moved past changes nothing and answers with the
//! card as it is now.

use super::*;
use crate::domain::{Actor, Ticket, TicketPatch, TicketStatus};

/// The actions `employee_id` may take on `ticket`: take it when it has no assignee (or, for the
/// client's manager — `manages` — someone else's); start it while `new` or `waiting` and finish
/// it while `in_progress` or `waiting` when it is theirs. None on a completed or cancelled ticket.
pub fn staff_actions(ticket: &Ticket, employee_id: &str, manages: bool) -> Vec<StaffAction> {
    if !ticket.status.is_active() {
        return vec![];
    }
    let mine = ticket.assignee_id.as_deref() == Some(employee_id);
    let mut actions = vec![];
    if ticket.assignee_id.is_none() || (!mine && manages) {
        actions.push(StaffAction::Take);
    }
    if mine && matches!(ticket.status, TicketStatus::New | TicketStatus::Waiting) {
        actions.push(StaffAction::Start);
    }
    if mine && matches!(ticket.status, TicketStatus::InProgress | TicketStatus::Waiting) {
        actions.push(StaffAction::Done);
    }
    actions
}

/// The presses of [`staff_actions`], drawn for the ticket's current version.
pub fn staff_presses(ticket: &Ticket, employee_id: &str, manages: bool) -> Vec<Press> {
    staff_actions(ticket, employee_id, manages)
        .into_iter()
        .map(|a| Press::Staff(a, ticket.id, ticket.version))
        .collect()
}

/// The buttons of a staff message about ticket `ticket_id`: its actions (`presses`, each a
/// [`Press::Staff`]) on one row, «📋 Карточка» below.
pub fn staff_keyboard(ticket_id: u64, presses: &[Press], lang: Lang) -> Keyboard {
    let actions: Vec<InlineButton> = presses
        .iter()
        .filter_map(|press| match press {
            Press::Staff(action, ..) => Some(InlineButton::new(action.label(lang), press.clone())),
            _ => None,
        })
        .collect();
    let card = vec![InlineButton::new(texts::BTN_CARD.get(lang), Press::Card(ticket_id))];
    Keyboard::Inline([actions, card].into_iter().filter(|row| !row.is_empty()).collect())
}

impl StaffAction {
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            StaffAction::Take => texts::BTN_TAKE.get(lang),
            StaffAction::Start => texts::BTN_START.get(lang),
            StaffAction::Done => texts::BTN_DONE.get(lang),
        }
    }

    /// The change the action makes, by the employee `(id, name)`, to a ticket in `status`.
    fn patch(self, (id, name): (&str, &str), status: TicketStatus) -> TicketPatch {
        match self {
            StaffAction::Take => TicketPatch {
                assignee: Some(Some((id.to_owned(), name.to_owned()))),
                status: (status == TicketStatus::New).then_some(TicketStatus::InProgress),
                ..TicketPatch::default()
            },
            StaffAction::Start => TicketPatch { status: Some(TicketStatus::InProgress), ..TicketPatch::default() },
            StaffAction::Done => TicketPatch { status: Some(TicketStatus::Done), ..TicketPatch::default() },
        }
    }

    /// The short answer on the pressed button once the change is made.
    fn done_text(self, lang: Lang) -> &'static str {
        match self {
            StaffAction::Take => texts::STAFF_TAKEN.get(lang),
            StaffAction::Start => texts::STAFF_STARTED.get(lang),
            StaffAction::Done => texts::STAFF_DONE.get(lang),
        }
    }
}

/// Whether `employee_id` manages the ticket's client, read only when it decides a button (an
/// active ticket assigned to someone else).
fn manages(ticket: &Ticket, employee_id: &str, facts: &Facts) -> Result<bool, Need> {
    let others = ticket.assignee_id.as_deref().is_some_and(|assignee| assignee != employee_id);
    if !ticket.status.is_active() || !others {
        return Ok(false);
    }
    let manager = facts.manager_id.as_ref().ok_or_else(|| Need::ManagerId { client_id: ticket.client_id.clone() })?;
    Ok(manager.as_deref() == Some(employee_id))
}

/// The employee a user is linked as: `(id, name)`.
fn employee(user: &UserRecord) -> Option<(&str, &str)> {
    match &user.link {
        Some(Link::Employee { employee_id, name }) => Some((employee_id, name)),
        _ => None,
    }
}

/// The staff card of ticket `id` with the presser's buttons; `None` when the ticket is not
/// there (or the user is no employee).
fn card_replies(
    settings: &DialogueSettings,
    user: &UserRecord,
    id: u64,
    facts: &Facts,
    lang: Lang,
) -> Result<Option<Reply>, Need> {
    let Some((employee_id, _)) = employee(user) else { return Ok(None) };
    let Some(ticket) = facts.ticket(id)?.filter(|t| t.id == id) else { return Ok(None) };
    let presses = staff_presses(ticket, employee_id, manages(ticket, employee_id, facts)?);
    Ok(Some(text(&actions::card_text(settings, ticket, lang), staff_keyboard(id, &presses, lang))))
}

fn not_available(id: u64, lang: Lang) -> String {
    texts::fill(texts::TICKET_NOT_AVAILABLE.get(lang), &[("id", &id.to_string())])
}

/// «📋 Карточка» on a staff notice, or a ticket picked from `/tickets`: the ticket's card as it
/// is now, with the buttons its state offers the presser (staff see every ticket in the desk).
pub(super) fn card(
    settings: &DialogueSettings,
    user: &UserRecord,
    press_id: &str,
    id: u64,
    facts: &Facts,
    lang: Lang,
) -> Result<Outcome, Need> {
    let replies = match card_replies(settings, user, id, facts, lang)? {
        Some(card) => vec![answer(press_id, None), card],
        None => vec![answer(press_id, Some(&not_available(id, lang)))],
    };
    Ok(Outcome { state: user.state.clone(), effects: vec![], replies })
}

/// A staff button: the change, if the presser may make it on the ticket as it is now and the
/// ticket is still at the version the button was drawn for; the card as it is now otherwise.
/// `message`: the pressed message, whose buttons are redrawn for the ticket's new state (its
/// link to the desk kept).
pub(super) fn act(
    settings: &DialogueSettings,
    user: &UserRecord,
    (press_id, message): (&str, Option<&PressedMessage>),
    (action, id, version): (StaffAction, u64, u64),
    facts: &Facts,
    lang: Lang,
) -> Result<Outcome, Need> {
    let keep = |replies| Ok(Outcome { state: user.state.clone(), effects: vec![], replies });
    let Some((employee_id, name)) = employee(user) else { return keep(vec![answer(press_id, None)]) };
    let Some(ticket) = facts.ticket(id)?.filter(|t| t.id == id) else {
        return keep(vec![answer(press_id, Some(&not_available(id, lang)))]);
    };
    let manages = manages(ticket, employee_id, facts)?;
    let redraw = |ticket: &Ticket| {
        message.map(|message| Reply::SetButtons {
            message_id: message.id,
            keyboard: staff_keyboard(ticket.id, &staff_presses(ticket, employee_id, manages), lang),
            links: message.links.clone(),
        })
    };
    let allowed = ticket.version == version && staff_actions(ticket, employee_id, manages).contains(&action);
    let by = Actor::Employee(employee_id.to_owned());
    let change = if allowed {
        action.patch((employee_id, name), ticket.status).apply(ticket, &by, facts.now.ok_or(Need::Now)?)
    } else {
        None
    };
    let Some((after, journal)) = change else {
        let stale = texts::fill(texts::STAFF_STALE.get(lang), &[("id", &id.to_string())]);
        let mut replies = vec![answer(press_id, Some(&stale))];
        replies.extend(redraw(ticket));
        replies.extend(card_replies(settings, user, id, facts, lang)?);
        return keep(replies);
    };
    let confirmation = texts::fill(action.done_text(lang), &[("id", &id.to_string())]);
    let mut replies = vec![answer(press_id, Some(&confirmation))];
    replies.extend(redraw(&after));
    Ok(Outcome { state: user.state.clone(), effects: vec![Effect::ChangeTicket { ticket: after, journal }], replies })
}

/// `/tickets` for an employee (or a page of it): their open assigned tickets, newest first.
pub(super) fn assigned(
    user: &UserRecord,
    press_id: Option<&str>,
    page: usize,
    facts: &Facts,
    lang: Lang,
) -> Result<Outcome, Need> {
    let mut replies: Vec<Reply> = press_id.map(|id| answer(id, None)).into_iter().collect();
    let Some((employee_id, _)) = employee(user) else {
        return Ok(Outcome { state: user.state.clone(), effects: vec![], replies });
    };
    let all = facts.assigned.as_ref().ok_or_else(|| Need::Assigned { employee_id: employee_id.to_owned() })?;
    let shown: Vec<&TicketSummary> = all.iter().filter(|t| TicketList::Assigned.applies(t.status)).collect();
    replies.push(if shown.is_empty() {
        text(texts::NO_ASSIGNED_TICKETS.get(lang), Keyboard::Remove)
    } else {
        tickets::ticket_list(TicketList::Assigned, &shown, page, lang)
    });
    Ok(Outcome { state: user.state.clone(), effects: vec![], replies })
}

/// `/help` (and `/menu`) for an employee: replies, `!` notes, the buttons and `/tickets`.
pub(super) fn help(user: &UserRecord, lang: Lang) -> Outcome {
    Outcome {
        state: user.state.clone(),
        effects: vec![],
        replies: vec![text(texts::EMPLOYEE_HELP.get(lang), Keyboard::Remove)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use StaffAction::{Start, Take};
    const FINISH: StaffAction = StaffAction::Done;

    fn ticket(status: TicketStatus, assignee: Option<&str>) -> Ticket {
        let at = chrono::Utc::now();
        Ticket { assignee_id: assignee.map(str::to_owned), ..crate::test_util::fixtures::ticket(7, "c1", status, at) }
    }

    #[test]
    fn the_buttons_follow_the_state_and_who_asks() {
        use TicketStatus::*;
        let cases: [(TicketStatus, Option<&str>, bool, &[StaffAction]); 12] = [
            (New, None, false, &[Take]),
            (New, Some("e2"), false, &[Start]),
            (New, Some("e9"), false, &[]),
            (New, Some("e9"), true, &[Take]),
            (InProgress, None, false, &[Take]),
            (InProgress, Some("e2"), false, &[FINISH]),
            (Waiting, Some("e2"), false, &[Start, FINISH]),
            (Waiting, Some("e9"), true, &[Take]),
            (Done, Some("e2"), false, &[]),
            (Done, None, true, &[]),
            (Closed, Some("e2"), true, &[]),
            (Cancelled, None, false, &[]),
        ];
        for (status, assignee, manages, expected) in cases {
            let actions = staff_actions(&ticket(status, assignee), "e2", manages);
            assert_eq!(actions, expected, "{status:?}, assigned to {assignee:?}, manager: {manages}");
        }
    }

    #[test]
    fn each_action_is_the_patch_the_api_would_make() {
        let by = Actor::Employee("e2".into());
        let now = chrono::Utc::now();
        let new = ticket(TicketStatus::New, None);
        let (taken, journal) = Take.patch(("e2", "Пётр"), new.status).apply(&new, &by, now).unwrap();
        assert_eq!(
            (taken.status, taken.assignee_id.as_deref(), taken.version),
            (TicketStatus::InProgress, Some("e2"), 2)
        );
        assert_eq!(
            journal.iter().map(|e| e.event.as_str()).collect::<Vec<_>>(),
            ["status_changed", "assignee_changed"]
        );
        let waiting = ticket(TicketStatus::Waiting, Some("e9"));
        let (taken, _) = Take.patch(("e2", "Пётр"), waiting.status).apply(&waiting, &by, now).unwrap();
        assert_eq!(taken.status, TicketStatus::Waiting, "only a new ticket starts when taken");
        let (done, _) = FINISH.patch(("e2", "Пётр"), taken.status).apply(&taken, &by, now).unwrap();
        assert_eq!((done.status, done.completed_at, done.changed_by), (TicketStatus::Done, Some(now), by));
    }
}
