use super::*;
use crate::domain::{TelegramUserId, TicketStatus};
use crate::phone;

const ME: TelegramUserId = 1001;

/// The desk the dialogue's tests (here, `edits.rs`, `replies.rs`) decide for.
pub(super) use crate::test_util::fixtures::settings;

fn input(event: Event) -> Inbound {
    Inbound { update_id: 1, user_id: ME, chat_id: ME as i64, event, language_code: None }
}

fn contact(id: &str, client: &str, active: bool) -> ContactMatch {
    ContactMatch {
        contact_id: id.into(),
        client_id: format!("{client}-id"),
        client_name: client.into(),
        name: "Анна".into(),
        active,
        linked_user: None,
    }
}

/// Анна, contact c1 of client k1, linked and at rest.
pub(super) fn linked() -> UserRecord {
    UserRecord {
        link: Some(Link::Contact { contact_id: "c1".into(), client_id: "k1".into(), name: "Анна".into() }),
        state: State::Idle,
        version: 3,
        language: None,
    }
}

/// The main menu of a contact with active tickets.
fn active_menu() -> Keyboard {
    Keyboard::Menu(vec![texts::BTN_NEW_TICKET.ru, texts::BTN_STATUS.ru, texts::BTN_COMMENT.ru, texts::BTN_CANCEL.ru])
}

/// Ticket `id` of contact `contact_id` (client k1), made in the bot, unassigned.
pub(super) fn ticket(id: u64, contact_id: &str, status: TicketStatus) -> crate::domain::Ticket {
    let made = crate::test_util::fixtures::ticket(id, contact_id, status, chrono::Utc::now());
    let changed_by = crate::domain::Actor::Client(contact_id.into());
    crate::domain::Ticket { source: "messenger".into(), changed_by, ..made }
}

/// A message's files as the app would store them.
pub(super) fn stored(content: &Content) -> StoredFiles {
    let stored = content
        .files
        .iter()
        .map(|f| StoredFile {
            telegram: None,
            name: f.name.clone(),
            content_type: "image/jpeg".into(),
            size: 1,
            key: format!("files/{}", f.unique_id),
        })
        .collect();
    StoredFiles { stored, rejected: vec![] }
}

/// Tickets with the given counts of active and completed ones.
fn tickets_for(counts: TicketCounts) -> Vec<TicketSummary> {
    let active = (0..counts.active).map(|i| (TicketStatus::InProgress, i));
    let done = (0..counts.completed).map(|i| (TicketStatus::Done, 100 + i));
    active
        .chain(done)
        .map(|(status, i)| TicketSummary { id: i as u64 + 1, subject: format!("Заявка {i}"), status })
        .collect()
}

fn run(user: &UserRecord, event: Event, matches: PhoneMatches, counts: TicketCounts) -> (Outcome, Vec<Need>) {
    run_with(user, event, matches, tickets_for(counts))
}

/// Runs the step, answering each need from `facts` the way the app does.
fn run_with(
    user: &UserRecord,
    event: Event,
    matches: PhoneMatches,
    tickets: Vec<TicketSummary>,
) -> (Outcome, Vec<Need>) {
    let mut facts = Facts::default();
    let mut needs = vec![];
    loop {
        match step(&settings(), user, &input(event.clone()), &facts) {
            Ok(outcome) => return (outcome, needs),
            Err(need) => {
                match &need {
                    Need::PhoneMatches(_) => facts.phone_matches = Some(matches.clone()),
                    Need::Tickets { .. } => facts.tickets = Some(tickets.clone()),
                    Need::NewTicketId => facts.new_ticket_id = Some(77),
                    Need::StoreFiles => {
                        let Event::Message(content) = &event else { panic!("files of a non-message") };
                        facts.files = Some(stored(content))
                    }
                    Need::Album(_) => facts.album = Some(None),
                    Need::RepliedTo(_) => facts.replied_to = Some(None),
                    Need::Ticket(id) => {
                        // The contact's own tickets, as a consistent read would find them.
                        let found = tickets.iter().find(|t| t.id == *id).map(|t| crate::domain::Ticket {
                            subject: t.subject.clone(),
                            ..ticket(t.id, "c1", t.status)
                        });
                        facts.read_tickets.push((*id, found));
                    }
                    Need::Manager { .. } => facts.manager = Some(None),
                    // The linked contact, whose phone the matches are of.
                    Need::Contact(id) => {
                        facts.contact = Some(Some(crate::domain::Contact {
                            id: id.clone(),
                            name: "Анна".into(),
                            phone: phone::normalize("+79123456789", settings().phone_region).unwrap(),
                            client_id: "k1".into(),
                            active: true,
                            telegram_user: Some(ME),
                        }))
                    }
                    Need::StandingCallMe { .. } => facts.standing_call_me = Some(None),
                    Need::Assigned { .. } => facts.assigned = Some(tickets.clone()),
                    Need::ManagerId { .. } => facts.manager_id = Some(Some("e1".into())),
                    Need::Now => facts.now = Some(chrono::Utc::now()),
                }
                assert!(!needs.contains(&need), "asked twice for {need:?}");
                needs.push(need);
            }
        }
    }
}

/// The texts an outcome says, in order.
pub(super) fn texts_of(outcome: &Outcome) -> Vec<String> {
    outcome
        .replies
        .iter()
        .filter_map(|r| match r {
            Reply::Text { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

fn last_keyboard(outcome: &Outcome) -> Keyboard {
    outcome
        .replies
        .iter()
        .rev()
        .find_map(|r| match r {
            Reply::Text { keyboard, .. } => Some(keyboard.clone()),
            _ => None,
        })
        .unwrap()
}

#[test]
fn an_unknown_user_is_asked_for_the_phone_whatever_they_send() {
    for event in [
        Event::Command(Command::Start),
        Event::Message(Content { text: Some("помогите".into()), ..Content::default() }),
        Event::Unsupported(Unsupported::Sticker),
    ] {
        let (outcome, needs) = run(&UserRecord::default(), event, PhoneMatches::default(), TicketCounts::default());
        assert!(needs.is_empty());
        assert_eq!(texts_of(&outcome), vec![texts::REGISTER_PROMPT.ru]);
        assert_eq!(last_keyboard(&outcome), Keyboard::SharePhone(Lang::Ru));
        assert!(outcome.effects.is_empty());
        assert!(outcome.is_read_only(&UserRecord::default()));
    }
}

#[test]
fn someone_elses_contact_card_is_refused_without_a_lookup() {
    for owner in [Some(ME + 1), None] {
        let event = Event::Contact { phone: "+79123456789".into(), owner, card: Box::default() };
        let (outcome, needs) = run(&UserRecord::default(), event, PhoneMatches::default(), TicketCounts::default());
        assert!(needs.is_empty(), "no directory read for a spoofed card");
        assert_eq!(texts_of(&outcome), vec![texts::REGISTER_OWN_NUMBER_ONLY.ru]);
        assert!(outcome.effects.is_empty());
    }
}

#[test]
fn one_active_contact_is_linked_and_gets_the_menu() {
    let matches = PhoneMatches { contacts: vec![contact("c1", "Ромашка", true)], employees: vec![] };
    let event = Event::Contact { phone: "79123456789".into(), owner: Some(ME), card: Box::default() };
    let (outcome, needs) = run(&UserRecord::default(), event, matches.clone(), TicketCounts::default());
    assert_eq!(needs[0], Need::PhoneMatches(phone::normalize("+79123456789", settings().phone_region).unwrap()));
    assert_eq!(outcome.effects, vec![Effect::LinkContact(matches.contacts[0].clone())]);
    assert!(texts_of(&outcome)[0].starts_with("Здравствуйте, Анна!"));
    assert_eq!(last_keyboard(&outcome), Keyboard::Menu(vec![texts::BTN_NEW_TICKET.ru, texts::BTN_CALL_ME.ru]));
}

#[test]
fn a_deactivated_contact_does_not_count() {
    let matches = PhoneMatches { contacts: vec![contact("c1", "Ромашка", false)], employees: vec![] };
    let event = Event::Contact { phone: "+79123456789".into(), owner: Some(ME), card: Box::default() };
    let (outcome, _) = run(&UserRecord::default(), event, matches, TicketCounts::default());
    assert!(outcome.effects.is_empty());
    assert!(texts_of(&outcome)[0].contains("номер +7 912 345-67-89 не найден"), "international format");
    assert!(texts_of(&outcome)[0].contains("+7 800 555-35-35"));
}

#[test]
fn an_unparseable_number_is_not_found() {
    let event = Event::Contact { phone: "12".into(), owner: Some(ME), card: Box::default() };
    let (outcome, needs) = run(&UserRecord::default(), event, PhoneMatches::default(), TicketCounts::default());
    assert!(needs.is_empty());
    assert_eq!(last_keyboard(&outcome), Keyboard::SharePhone(Lang::Ru));
    assert!(texts_of(&outcome)[0].contains("не найден"));
}

#[test]
fn a_phone_in_two_companies_asks_which_and_links_the_chosen_one() {
    let matches = PhoneMatches {
        contacts: vec![contact("c1", "Ромашка", true), contact("c2", "Лютик", true), contact("c3", "Старая", false)],
        employees: vec![],
    };
    let event = Event::Contact { phone: "+79123456789".into(), owner: Some(ME), card: Box::default() };
    let (asked, _) = run(&UserRecord::default(), event, matches.clone(), TicketCounts::default());
    assert!(asked.effects.is_empty());
    let Keyboard::Inline(rows) = last_keyboard(&asked) else { panic!("inline choice expected") };
    let labels: Vec<_> = rows.iter().map(|r| r[0].label.as_str()).collect();
    assert_eq!(labels, ["Ромашка", "Лютик"]);
    assert!(rows.iter().all(|r| r[0].press.encode().len() <= 64));

    let waiting = UserRecord { link: None, state: asked.state.clone(), version: 1, language: None };
    let press = Event::Press { id: "cb".into(), data: rows[1][0].press.encode(), message: None };
    let (chosen, _) = run(&waiting, press, matches.clone(), TicketCounts { active: 1, completed: 0 });
    assert_eq!(chosen.effects, vec![Effect::LinkContact(matches.contacts[1].clone())]);
    assert_eq!(chosen.replies[0], Reply::AnswerPress { press_id: "cb".into(), text: None });
    assert_eq!(chosen.state, State::Idle);
    assert_eq!(last_keyboard(&chosen), active_menu());
}

#[test]
fn a_company_button_cannot_pick_a_contact_outside_the_lookup() {
    let matches = PhoneMatches {
        contacts: vec![contact("c1", "Ромашка", true), contact("c2", "Лютик", true)],
        employees: vec![],
    };
    let waiting = UserRecord {
        link: None,
        state: State::ChoosingCompany { phone: phone::normalize("+79123456789", settings().phone_region).unwrap() },
        version: 1,
        language: None,
    };
    let forged = Event::Press { id: "cb".into(), data: "co:someone-else".into(), message: None };
    let (outcome, _) = run(&waiting, forged, matches.clone(), TicketCounts::default());
    assert!(outcome.effects.is_empty());
    assert_eq!(texts_of(&outcome), vec![texts::CHOICE_EXPIRED.ru]);

    let stale = Event::Press { id: "cb".into(), data: "co:c1".into(), message: None };
    let (outcome, _) = run(&UserRecord::default(), stale, matches, TicketCounts::default());
    assert!(outcome.effects.is_empty(), "a press outside the choosing step links nothing");
}

#[test]
fn an_employee_number_links_the_employee() {
    let employee = EmployeeMatch { employee_id: "e1".into(), name: "Иван".into(), active: true, linked_user: None };
    let matches = PhoneMatches { contacts: vec![], employees: vec![employee.clone()] };
    let event = Event::Contact { phone: "+79123456789".into(), owner: Some(ME), card: Box::default() };
    let (outcome, _) = run(&UserRecord::default(), event, matches, TicketCounts::default());
    assert_eq!(outcome.effects, vec![Effect::LinkEmployee(employee)]);
    assert!(texts_of(&outcome)[0].contains("сотрудник"));
}

#[test]
fn the_menu_fits_the_tickets() {
    let cases = [
        (
            TicketCounts { active: 2, completed: 5 },
            vec![texts::BTN_NEW_TICKET.ru, texts::BTN_STATUS.ru, texts::BTN_COMMENT.ru, texts::BTN_CANCEL.ru],
        ),
        (
            TicketCounts { active: 0, completed: 1 },
            vec![texts::BTN_NEW_TICKET.ru, texts::BTN_CALL_ME.ru, texts::BTN_QUESTION_DONE.ru],
        ),
        (TicketCounts { active: 0, completed: 0 }, vec![texts::BTN_NEW_TICKET.ru, texts::BTN_CALL_ME.ru]),
    ];
    for (counts, buttons) in cases {
        let (outcome, needs) = run(&linked(), Event::Command(Command::Start), PhoneMatches::default(), counts);
        assert_eq!(needs, vec![Need::Tickets { contact_id: "c1".into() }]);
        assert_eq!(texts_of(&outcome), vec![texts::MENU_PROMPT.ru]);
        assert_eq!(last_keyboard(&outcome), Keyboard::Menu(buttons));
        assert!(outcome.is_read_only(&linked()), "/start of a registered user writes nothing");
    }
}

fn say(text: &str) -> Event {
    Event::Message(Content { text: Some(text.into()), ..Content::default() })
}

fn created(outcome: &Outcome) -> &NewTicket {
    outcome
        .effects
        .iter()
        .find_map(|e| match e {
            Effect::CreateTicket(t) => Some(t),
            _ => None,
        })
        .expect("a ticket is created")
}

#[test]
fn subjects_split_at_fifty_characters_not_bytes() {
    let short = "Не работает почта";
    assert_eq!(split_subject(short), (short.to_owned(), String::new()));
    let cyrillic = "Ж".repeat(50) + "остальное";
    assert_eq!(split_subject(&cyrillic), ("Ж".repeat(50), "остальное".to_owned()));
    let emoji = "🖨️".repeat(30); // two scalar values each
    let (subject, message) = split_subject(&emoji);
    assert_eq!(subject.chars().count(), 50);
    assert_eq!(subject + &message, emoji);
}

#[test]
fn a_direct_message_without_active_tickets_becomes_a_ticket() {
    let long = "Принтер в бухгалтерии не печатает с утра, горит оранжевая лампочка";
    let (outcome, needs) = run(&linked(), say(long), PhoneMatches::default(), TicketCounts::default());
    assert!(needs.contains(&Need::NewTicketId));
    let ticket = created(&outcome);
    assert_eq!(ticket.subject.chars().count(), 50);
    assert_eq!(format!("{}{}", ticket.subject, ticket.message), long);
    assert_eq!((ticket.contact_id.as_str(), ticket.client_id.as_str()), ("c1", "k1"));
    assert_eq!(texts_of(&outcome), vec![texts::fill(texts::TICKET_CREATED.ru, &[("id", "77")])]);
    assert_eq!(last_keyboard(&outcome), active_menu());
}

#[test]
fn the_menu_button_then_a_message_makes_a_ticket_even_with_active_ones() {
    let (asked, _) = run(&linked(), say(texts::BTN_NEW_TICKET.ru), PhoneMatches::default(), TicketCounts::default());
    assert_eq!(asked.state, State::AwaitingNewTicket);
    assert_eq!(texts_of(&asked), vec![texts::NEW_TICKET_PROMPT.ru]);
    let waiting = UserRecord { state: State::AwaitingNewTicket, ..linked() };
    let counts = TicketCounts { active: 2, completed: 0 };
    let (outcome, _) = run(&waiting, say("Нужен доступ к VPN"), PhoneMatches::default(), counts);
    assert_eq!(created(&outcome).subject, "Нужен доступ к VPN");
    assert_eq!(outcome.state, State::Idle);
}

#[test]
fn files_only_are_files_from_the_contact() {
    let photo = IncomingFile {
        file_id: "f".into(),
        unique_id: "u".into(),
        kind: FileKind::Photo,
        name: "photo-u.jpg".into(),
        mime_type: None,
        size: Some(10),
    };
    let event = Event::Message(Content { files: vec![photo], ..Content::default() });
    let (outcome, needs) = run(&linked(), event, PhoneMatches::default(), TicketCounts::default());
    assert!(needs.contains(&Need::StoreFiles));
    let ticket = created(&outcome);
    assert_eq!(ticket.subject, "Файлы от Анна");
    assert_eq!(ticket.files.len(), 1);
}

#[test]
fn with_active_tickets_the_bot_asks_new_or_attach_and_keeps_the_message() {
    let counts = TicketCounts { active: 1, completed: 0 };
    let (asked, _) = run(&linked(), say("И ещё вопрос"), PhoneMatches::default(), counts);
    assert!(asked.effects.is_empty());
    let State::NewOrAttach { pending } = &asked.state else { panic!("waiting for the choice") };
    assert_eq!(pending.text.as_deref(), Some("И ещё вопрос"));
    let Keyboard::Inline(rows) = last_keyboard(&asked) else { panic!("inline choice") };
    assert_eq!(rows[0][0].label, texts::BTN_NEW_REQUEST.ru);
    assert_eq!(rows[1][0].label, texts::BTN_ATTACH.ru);

    let waiting = UserRecord { state: asked.state.clone(), ..linked() };
    let press = |data: &str| Event::Press { id: "q".into(), data: data.into(), message: None };
    let (listed, _) = run(&waiting, press(&rows[1][0].press.encode()), PhoneMatches::default(), counts);
    let Keyboard::Inline(list) = last_keyboard(&listed) else { panic!("ticket list") };
    assert_eq!(list[0][0].label, "#1 Заявка 0");

    let choosing = UserRecord { state: listed.state.clone(), ..linked() };
    let (attached, _) = run(&choosing, press(&list[0][0].press.encode()), PhoneMatches::default(), counts);
    assert!(matches!(&attached.effects[0], Effect::AddComment(c) if c.ticket_id == 1 && c.text == "И ещё вопрос"));
    assert_eq!(texts_of(&attached), vec![texts::fill(texts::COMMENT_ADDED.ru, &[("id", "1")])]);

    // Another contact's ticket id, or a done ticket, is refused.
    let (refused, _) = run(&choosing, press("att:999"), PhoneMatches::default(), counts);
    assert!(refused.effects.is_empty());
    // A second tap after the choice was made is stale.
    let (stale, _) = run(&linked(), press(&list[0][0].press.encode()), PhoneMatches::default(), counts);
    assert!(stale.effects.is_empty());
    assert_eq!(
        stale.replies,
        vec![Reply::AnswerPress { press_id: "q".into(), text: Some(texts::BUTTON_STALE.ru.into()) }]
    );
}

#[test]
fn long_ticket_lists_are_paged() {
    let counts = TicketCounts { active: 14, completed: 0 };
    let pending = Pending { text: Some("x".into()), ..Pending::default() };
    let choosing = UserRecord { state: State::ChoosingTicketToAttach { pending }, ..linked() };
    let page = |n: usize| {
        let (outcome, _) = run(
            &choosing,
            Event::Press { id: "q".into(), data: format!("pg:att:{n}"), message: None },
            PhoneMatches::default(),
            counts,
        );
        let Keyboard::Inline(rows) = last_keyboard(&outcome) else { panic!("list") };
        rows
    };
    let first = page(0);
    assert_eq!(first.len(), tickets::PAGE_SIZE + 1);
    assert_eq!(first.last().unwrap().iter().map(|b| b.press.encode()).collect::<Vec<_>>(), ["pg:att:1"]);
    let last = page(2);
    assert_eq!(last.len(), 2 + 1, "14 tickets: 6 + 6 + 2");
    assert_eq!(last.last().unwrap()[0].press.encode(), "pg:att:1");
}

#[test]
fn stickers_get_a_clear_answer_and_change_nothing() {
    let (outcome, needs) =
        run(&linked(), Event::Unsupported(Unsupported::Sticker), PhoneMatches::default(), TicketCounts::default());
    assert!(needs.is_empty());
    assert!(outcome.effects.is_empty());
    assert!(texts_of(&outcome)[0].contains("стикер"));
}

#[test]
fn a_second_message_while_the_choice_waits_joins_the_first() {
    let counts = TicketCounts { active: 1, completed: 0 };
    let earlier = Pending {
        text: Some("Принтер не печатает".into()),
        files: vec![StoredFile {
            telegram: None,
            name: "a.jpg".into(),
            content_type: "image/jpeg".into(),
            size: 1,
            key: "files/a".into(),
        }],
        album: None,
        since: None,
        messages: vec![31],
    };
    let waiting = UserRecord { state: State::NewOrAttach { pending: earlier }, ..linked() };
    let later =
        Event::Message(Content {
            text: Some("И сканер тоже".into()), message_id: Some(32), ..Content::default()
        });
    let (outcome, _) = run(&waiting, later, PhoneMatches::default(), counts);
    let State::NewOrAttach { pending } = &outcome.state else { panic!("still waiting for the choice") };
    assert_eq!(pending.text.as_deref(), Some("Принтер не печатает\nИ сканер тоже"));
    assert_eq!(pending.files.len(), 1, "the earlier file is kept");
    assert_eq!(pending.messages, [31, 32], "both messages are remembered with what they become");
}

/// A waiting message sent at `minute` past noon, with `files` files and `chars` characters.
fn waiting_since(minute: i64, files: usize, chars: usize) -> UserRecord {
    let noon = chrono::DateTime::parse_from_rfc3339("2026-11-26T12:00:00Z").unwrap().to_utc();
    let file = |i: usize| StoredFile {
        telegram: None,
        name: format!("{i}.jpg"),
        content_type: "image/jpeg".into(),
        size: 1,
        key: format!("files/{i}"),
    };
    let pending = Pending {
        text: Some("я".repeat(chars)),
        files: (0..files).map(file).collect(),
        album: None,
        since: Some(noon + chrono::Duration::minutes(minute)),
        messages: vec![],
    };
    UserRecord { state: State::NewOrAttach { pending }, ..linked() }
}

fn last_text(outcome: &Outcome) -> String {
    texts_of(outcome).pop().unwrap_or_default()
}

fn photo_file(unique_id: &str) -> IncomingFile {
    IncomingFile {
        file_id: format!("f-{unique_id}"),
        unique_id: unique_id.into(),
        kind: FileKind::Photo,
        name: format!("photo-{unique_id}.jpg"),
        mime_type: None,
        size: Some(10),
    }
}

fn said_at(minute: i64, body: &str) -> Event {
    let noon = chrono::DateTime::parse_from_rfc3339("2026-11-26T12:00:00Z").unwrap().to_utc();
    let sent_at = Some(noon + chrono::Duration::minutes(minute));
    Event::Message(Content { text: Some(body.into()), sent_at, ..Content::default() })
}

#[test]
fn a_message_long_after_the_waiting_one_starts_over() {
    let counts = TicketCounts { active: 1, completed: 0 };
    let (soon, _) = run(&waiting_since(0, 1, 5), said_at(29, "ещё"), PhoneMatches::default(), counts);
    let State::NewOrAttach { pending } = &soon.state else { panic!("waiting") };
    assert_eq!((pending.files.len(), pending.text.as_deref()), (1, Some("яяяяя\nещё")), "joined");

    let (late, _) = run(&waiting_since(0, 1, 5), said_at(31, "новое"), PhoneMatches::default(), counts);
    let State::NewOrAttach { pending } = &late.state else { panic!("waiting") };
    assert_eq!((pending.files.len(), pending.text.as_deref()), (0, Some("новое")), "started over");
    assert_eq!(last_text(&late), texts::NEW_OR_ATTACH.ru);
}

#[test]
fn a_waiting_message_stays_inside_the_stores_limits() {
    let counts = TicketCounts { active: 1, completed: 0 };
    let full_files = waiting_since(0, Pending::MAX_FILES, 5);
    let photo = Event::Message(Content { files: vec![photo_file("p1")], ..Content::default() });
    let (refused, _) = run(&full_files, photo, PhoneMatches::default(), counts);
    assert_eq!(refused.state, full_files.state, "nothing joins a full message");
    assert!(refused.effects.is_empty());
    assert_eq!(last_text(&refused), texts::PENDING_FULL.ru);

    let full_text = waiting_since(0, 0, Pending::MAX_TEXT_CHARS - 3);
    let (refused, _) = run(&full_text, said_at(1, "ещё немного"), PhoneMatches::default(), counts);
    assert_eq!(refused.state, full_text.state);
    assert_eq!(last_text(&refused), texts::PENDING_FULL.ru);
    let (taken, _) = run(&full_text, said_at(1, "ok"), PhoneMatches::default(), counts);
    assert_ne!(taken.state, full_text.state, "what fits joins");
}

#[test]
fn a_press_from_someone_not_a_contact_gets_their_usual_answer() {
    let employee = UserRecord {
        link: Some(Link::Employee { employee_id: "e1".into(), name: "Иван".into() }),
        state: State::Idle,
        version: 2,
        language: None,
    };
    for data in ["st:1", "na:new", "garbage"] {
        for (user, expected) in
            [(UserRecord::default(), texts::REGISTER_PROMPT.ru), (employee.clone(), texts::EMPLOYEE_INFO.ru)]
        {
            let press = Event::Press { id: "q".into(), data: data.into(), message: None };
            let (outcome, needs) = run(&user, press, PhoneMatches::default(), TicketCounts::default());
            assert!(needs.is_empty());
            assert_eq!(outcome.replies[0], Reply::AnswerPress { press_id: "q".into(), text: None });
            assert_eq!(texts_of(&outcome), vec![expected]);
            assert!(outcome.effects.is_empty());
        }
    }
}

#[test]
fn unknown_or_out_of_step_presses_are_stale_and_a_list_page_keeps_the_step() {
    let counts = TicketCounts { active: 8, completed: 0 };
    let pending = Pending { text: Some("x".into()), ..Pending::default() };
    let waiting = UserRecord { state: State::NewOrAttach { pending }, ..linked() };
    let press = |data: &str| Event::Press { id: "q".into(), data: data.into(), message: None };
    for data in ["", "garbage", "st:abc", "st:1x", "pg:st:x", "pg:att:1", "att:1"] {
        let (outcome, needs) = run(&waiting, press(data), PhoneMatches::default(), counts);
        assert!(needs.is_empty(), "{data:?}");
        assert_eq!(outcome.state, waiting.state);
        assert_eq!(
            outcome.replies,
            vec![Reply::AnswerPress { press_id: "q".into(), text: Some(texts::BUTTON_STALE.ru.into()) }]
        );
    }
    let (paged, _) = run(&waiting, press("pg:st:1"), PhoneMatches::default(), counts);
    assert_eq!(paged.state, waiting.state, "paging a list abandons nothing");
    let Keyboard::Inline(rows) = last_keyboard(&paged) else { panic!("list") };
    assert_eq!(rows[0][0].label, "#7 Заявка 6");
}

const ACTIVE_MENU: [&str; 4] =
    [texts::BTN_NEW_TICKET.ru, texts::BTN_STATUS.ru, texts::BTN_COMMENT.ru, texts::BTN_CANCEL.ru];

fn waiting_choice() -> UserRecord {
    let pending = Pending { text: Some("Ещё и сканер".into()), ..Pending::default() };
    UserRecord { state: State::NewOrAttach { pending }, ..linked() }
}

#[test]
fn menu_help_and_unknown_commands_explain_the_menu_and_never_make_a_ticket() {
    let counts = TicketCounts { active: 1, completed: 0 };
    for event in [Event::Command(Command::Menu), Event::Command(Command::Help), Event::UnknownCommand] {
        let (outcome, needs) = run(&waiting_choice(), event.clone(), PhoneMatches::default(), counts);
        assert!(outcome.effects.is_empty(), "{event:?}");
        assert_eq!(outcome.state, waiting_choice().state, "the waiting message waits on: {event:?}");
        assert_eq!(needs.len(), 3, "tickets, the contact, its phone's matches: {needs:?}");
        let help = last_text(&outcome);
        assert!(help.starts_with(texts::HELP_INTRO.ru), "{help}");
        assert!(help.contains("➕ Новое обращение — создать новую заявку"), "{help}");
        assert!(help.contains("🛑 Отменить обращение — отменить заявку"), "{help}");
        assert!(help.contains("/menu или /help"), "{help}");
        assert!(!help.contains("/company"), "one company: no line for it");
        assert_eq!(last_keyboard(&outcome), Keyboard::Menu(ACTIVE_MENU.to_vec()));
    }
    let (none, _) = run(&linked(), Event::Command(Command::Help), PhoneMatches::default(), TicketCounts::default());
    assert!(last_text(&none)
        .contains("😮 Я отправлял задачу, свяжетесь со мной пожалуйста и давайте разберёмся! — уведомить менеджера"));
}

#[test]
fn a_client_of_two_companies_reads_of_company_in_help_and_switches_with_it() {
    let matches = PhoneMatches {
        contacts: vec![contact("c1", "Ромашка", true), contact("c2", "Лютик", true)],
        employees: vec![],
    };
    let (help, _) = run(&linked(), Event::Command(Command::Help), matches.clone(), TicketCounts::default());
    assert!(last_text(&help).contains("/company — выбрать другую компанию"), "{}", last_text(&help));

    let (asked, needs) = run(&linked(), Event::Command(Command::Company), matches.clone(), TicketCounts::default());
    assert_eq!(needs[0], Need::Contact("c1".into()));
    assert!(matches!(asked.state, State::ChoosingCompany { .. }));
    let Keyboard::Inline(rows) = last_keyboard(&asked) else { panic!("the companies") };
    let labels: Vec<_> = rows.iter().map(|r| r[0].label.as_str()).collect();
    assert_eq!(labels, ["✓ Ромашка", "Лютик"], "the current one marked");

    let choosing = UserRecord { state: asked.state.clone(), ..linked() };
    let press = Event::Press { id: "cb".into(), data: rows[1][0].press.encode(), message: None };
    let (chosen, _) = run(&choosing, press, matches.clone(), TicketCounts { active: 0, completed: 2 });
    assert_eq!(chosen.effects, vec![Effect::LinkContact(matches.contacts[1].clone())]);
    assert_eq!(texts_of(&chosen), vec![texts::fill(texts::COMPANY_CHOSEN.ru, &[("client", "Лютик")])]);
    assert_eq!(
        last_keyboard(&chosen),
        Keyboard::Menu(vec![texts::BTN_NEW_TICKET.ru, texts::BTN_CALL_ME.ru, texts::BTN_QUESTION_DONE.ru])
    );
    // A stale company button keeps a client's menu: only the press is answered.
    let stale = Event::Press { id: "cb".into(), data: rows[1][0].press.encode(), message: None };
    let (outcome, _) = run(&linked(), stale, matches, TicketCounts::default());
    assert_eq!(
        outcome.replies,
        vec![Reply::AnswerPress { press_id: "cb".into(), text: Some(texts::BUTTON_STALE.ru.into()) }]
    );

    let only_one = PhoneMatches { contacts: vec![contact("c1", "Ромашка", true)], employees: vec![] };
    let (outcome, _) = run(&linked(), Event::Command(Command::Company), only_one, TicketCounts::default());
    assert_eq!(outcome.state, State::Idle);
    assert_eq!(texts_of(&outcome), vec![texts::COMPANY_ONLY_ONE.ru]);
}

#[test]
fn someone_elses_card_from_a_registered_client_is_text_of_their_message() {
    let text =
        Content {
            text: Some("👤 Иван Петров, +79990001122".into()), message_id: Some(77), ..Content::default()
        };
    let card = Event::Contact { phone: "79990001122".into(), owner: Some(ME + 5), card: Box::new(text) };
    let counts = TicketCounts { active: 1, completed: 0 };
    let (outcome, needs) = run(&linked(), card, PhoneMatches::default(), counts);
    assert!(!needs.iter().any(|n| matches!(n, Need::PhoneMatches(_))), "no directory lookup: {needs:?}");
    let State::NewOrAttach { pending } = &outcome.state else { panic!("new or attach? {:?}", outcome.state) };
    assert_eq!(pending.text.as_deref(), Some("👤 Иван Петров, +79990001122"));
    assert_eq!(pending.messages, [77]);
}

#[test]
fn a_menu_press_or_start_while_a_message_waits_says_it_was_not_sent() {
    let counts = TicketCounts { active: 1, completed: 0 };
    for (event, last) in [
        (say(texts::BTN_NEW_TICKET.ru), texts::NEW_TICKET_PROMPT.ru),
        (say(texts::BTN_STATUS.ru), texts::CHOOSE_TICKET_STATUS.ru),
        (Event::Command(Command::Start), texts::MENU_PROMPT.ru),
    ] {
        let (outcome, _) = run(&waiting_choice(), event.clone(), PhoneMatches::default(), counts);
        assert_eq!(texts_of(&outcome), vec![texts::PENDING_DROPPED.ru.to_owned(), last.to_owned()], "{event:?}");
        assert!(!matches!(outcome.state, State::NewOrAttach { .. }));
    }
    let (idle, _) = run(&linked(), say(texts::BTN_STATUS.ru), PhoneMatches::default(), counts);
    assert_eq!(texts_of(&idle), vec![texts::CHOOSE_TICKET_STATUS.ru], "nothing waited: nothing to say");
}

#[test]
fn new_ticket_still_works_after_attach_was_chosen() {
    let counts = TicketCounts { active: 1, completed: 0 };
    let pending = Pending { text: Some("Ещё и сканер".into()), ..Pending::default() };
    let choosing = UserRecord { state: State::ChoosingTicketToAttach { pending }, ..linked() };
    let press = |data: &str| Event::Press { id: "q".into(), data: data.into(), message: None };
    let (created_now, _) = run(&choosing, press("na:new"), PhoneMatches::default(), counts);
    assert_eq!(created(&created_now).subject, "Ещё и сканер");
    assert_eq!(created_now.state, State::Idle);
    let (listed, _) = run(&choosing, press("na:att"), PhoneMatches::default(), counts);
    assert!(matches!(last_keyboard(&listed), Keyboard::Inline(_)), "the list again");
    assert_eq!(listed.state, choosing.state);
}

#[test]
fn attaching_to_a_ticket_closed_meanwhile_offers_a_new_ticket_when_none_is_left() {
    let done = vec![TicketSummary { id: 5, subject: "Принтер".into(), status: TicketStatus::Done }];
    let pending = Pending { text: Some("Ещё и сканер".into()), ..Pending::default() };
    let choosing = UserRecord { state: State::ChoosingTicketToAttach { pending }, ..linked() };
    let press = Event::Press { id: "q".into(), data: "att:5".into(), message: None };
    let (outcome, _) = run_with(&choosing, press, PhoneMatches::default(), done);
    assert!(outcome.effects.is_empty());
    assert_eq!(outcome.state, choosing.state, "the message still waits");
    assert_eq!(texts_of(&outcome), vec![texts::NO_TICKET_TO_ATTACH.ru]);
    let Keyboard::Inline(rows) = last_keyboard(&outcome) else { panic!("a button") };
    assert_eq!(rows[0][0].press, Press::NewTicket);
}

fn commenting(on: u64, completed: bool) -> UserRecord {
    UserRecord { state: State::AwaitingComment { ticket_id: on, completed }, ..linked() }
}

#[test]
fn a_comment_on_a_ticket_completed_meanwhile_becomes_a_question_on_it() {
    let tickets = vec![TicketSummary { id: 5, subject: "Принтер".into(), status: TicketStatus::Done }];
    let (outcome, _) = run_with(&commenting(5, false), say("Всё ещё не печатает"), PhoneMatches::default(), tickets);
    let Effect::AddComment(comment) = &outcome.effects[0] else { panic!("a comment: {:?}", outcome.effects) };
    assert_eq!((comment.ticket_id, comment.on_completed, comment.text.as_str()), (5, true, "Всё ещё не печатает"));
    assert_eq!(texts_of(&outcome), vec![texts::fill(texts::COMMENT_ADDED_AS_QUESTION.ru, &[("id", "5")])]);
    assert_eq!(
        last_keyboard(&outcome),
        Keyboard::Menu(vec![texts::BTN_NEW_TICKET.ru, texts::BTN_CALL_ME.ru, texts::BTN_QUESTION_DONE.ru])
    );

    // A question whose ticket was reopened meanwhile is a plain comment on the active ticket.
    let reopened = vec![TicketSummary { id: 5, subject: "Принтер".into(), status: TicketStatus::InProgress }];
    let (outcome, _) = run_with(&commenting(5, true), say("Снова сломался"), PhoneMatches::default(), reopened);
    assert!(matches!(&outcome.effects[0], Effect::AddComment(c) if !c.on_completed));
    assert_eq!(texts_of(&outcome), vec![texts::fill(texts::COMMENT_ADDED.ru, &[("id", "5")])]);
}

#[test]
fn a_comment_on_a_ticket_cancelled_meanwhile_waits_as_a_new_ticket_offer() {
    let tickets = vec![
        TicketSummary { id: 6, subject: "Другое".into(), status: TicketStatus::New },
        TicketSummary { id: 5, subject: "Принтер".into(), status: TicketStatus::Cancelled },
    ];
    let (outcome, _) =
        run_with(&commenting(5, false), say("Нужен новый картридж"), PhoneMatches::default(), tickets.clone());
    assert!(outcome.effects.is_empty());
    let State::NewOrAttach { pending } = &outcome.state else { panic!("the message waits: {:?}", outcome.state) };
    assert_eq!(pending.text.as_deref(), Some("Нужен новый картридж"));
    assert_eq!(texts_of(&outcome), vec![texts::fill(texts::COMMENT_TICKET_CANCELLED.ru, &[("id", "5")])]);
    let Keyboard::Inline(rows) = last_keyboard(&outcome) else { panic!("the offer") };
    assert_eq!(rows.iter().map(|r| r[0].press.clone()).collect::<Vec<_>>(), [Press::NewTicket, Press::Attach]);

    let waiting = UserRecord { state: outcome.state.clone(), ..linked() };
    let (made, _) = run_with(
        &waiting,
        Event::Press { id: "q".into(), data: "na:new".into(), message: None },
        PhoneMatches::default(),
        tickets,
    );
    assert_eq!(created(&made).subject, "Нужен новый картридж");
}

fn speaking(language_code: Option<&str>, event: Event) -> Inbound {
    Inbound { language_code: language_code.map(str::to_owned), ..input(event) }
}

#[test]
fn the_language_is_the_choice_else_telegrams_else_the_one_kept_else_the_default() {
    use crate::texts::Lang::{En, Ru};
    let detected = |lang| Some(Language { lang, chosen: false });
    let chosen = |lang| Some(Language { lang, chosen: true });
    let mut english_default = settings();
    english_default.default_lang = En;
    let cases = [
        // (kept, Telegram's code, default, answered in, detected to keep)
        (None, Some("en-GB"), Ru, En, detected(En)),
        (None, Some("ru"), En, Ru, detected(Ru)),
        // A language the bot does not speak: the default, and nothing kept (the user follows
        // the default if it changes).
        (None, Some("de"), Ru, Ru, None),
        (None, Some("de"), En, En, None),
        (detected(En), Some("de"), Ru, En, None),
        (None, None, En, En, None),
        (detected(En), Some("en"), Ru, En, None),
        (detected(En), None, Ru, En, None),
        (detected(En), Some("ru"), Ru, Ru, detected(Ru)),
        (chosen(Ru), Some("en"), En, Ru, None),
        (chosen(En), None, Ru, En, None),
    ];
    for (kept, code, default, expected, to_keep) in cases {
        let user = UserRecord { language: kept, ..linked() };
        let settings = if default == En { english_default.clone() } else { settings() };
        let got = language(&settings, &user, &speaking(code, Event::Command(Command::Start)));
        assert_eq!(got, (expected, to_keep), "{kept:?} {code:?} {default:?}");
    }
}

#[test]
fn a_detected_language_is_kept_for_a_linked_user_and_with_writes_made_anyway() {
    let start = || Event::Command(Command::Start);
    let step_of = |user: &UserRecord, code: Option<&str>| {
        let facts = Facts { tickets: Some(vec![]), ..Facts::default() };
        step(&settings(), user, &speaking(code, start()), &facts).unwrap()
    };
    let en = Language { lang: crate::texts::Lang::En, chosen: false };
    // A registered client: their notices need it.
    let outcome = step_of(&linked(), Some("en"));
    assert_eq!(outcome.effects, vec![Effect::SetLanguage(en)]);
    assert_eq!(texts_of(&outcome), vec![texts::MENU_PROMPT.en]);
    // Kept already, or no code: nothing to write.
    assert!(step_of(&UserRecord { language: Some(en), ..linked() }, Some("en-US")).effects.is_empty());
    assert!(step_of(&linked(), None).effects.is_empty());
    // Someone unregistered: answered in it, but no write of its own.
    let stranger = step_of(&UserRecord::default(), Some("en"));
    assert!(stranger.effects.is_empty());
    assert_eq!(texts_of(&stranger), vec![texts::REGISTER_PROMPT.en]);
    assert_eq!(last_keyboard(&stranger), Keyboard::SharePhone(crate::texts::Lang::En));
}

#[test]
fn menu_labels_are_taken_in_either_language() {
    for lang in crate::texts::Lang::ALL {
        let pressed = say(texts::BTN_NEW_TICKET.get(lang));
        let (outcome, _) = run(&linked(), pressed, PhoneMatches::default(), TicketCounts::default());
        assert_eq!(outcome.state, State::AwaitingNewTicket, "{lang:?}");
        assert_eq!(texts_of(&outcome), vec![texts::NEW_TICKET_PROMPT.ru], "answered in the user's language");
    }
}

#[test]
fn language_asks_and_a_press_keeps_the_choice_and_answers_in_it() {
    let (asked, _) =
        run(&linked(), Event::Command(Command::Language), PhoneMatches::default(), TicketCounts::default());
    assert!(asked.effects.is_empty());
    assert_eq!(texts_of(&asked), vec![texts::LANGUAGE_PROMPT.ru]);
    let Keyboard::Inline(rows) = last_keyboard(&asked) else { panic!("the languages") };
    let presses: Vec<Press> = rows[0].iter().map(|b| b.press.clone()).collect();
    assert_eq!(presses, [Press::Language(crate::texts::Lang::Ru), Press::Language(crate::texts::Lang::En)]);

    let press = Event::Press { id: "q".into(), data: "lg:en".into(), message: None };
    let (chosen, _) = run(&linked(), press, PhoneMatches::default(), TicketCounts { active: 1, completed: 0 });
    assert_eq!(chosen.effects, vec![Effect::SetLanguage(Language { lang: crate::texts::Lang::En, chosen: true })]);
    assert_eq!(texts_of(&chosen), vec![texts::LANGUAGE_CHOSEN.en]);
    assert_eq!(
        last_keyboard(&chosen),
        Keyboard::Menu(vec![
            texts::BTN_NEW_TICKET.en,
            texts::BTN_STATUS.en,
            texts::BTN_COMMENT.en,
            texts::BTN_CANCEL.en
        ])
    );
}

/// A cancel press just after staff reopened the ticket: the contact's index (which lags a
/// write) still lists it as done, the consistent read finds it active. The ticket is cancelled
/// and the menu is the one the cancellation leaves — no count taken below zero (a panic in a
/// debug build, a wrong sentence in release).
#[test]
fn a_cancel_while_the_index_lags_counts_what_the_cancellation_leaves() {
    let mut facts = Facts {
        tickets: Some(vec![TicketSummary { id: 5, subject: "Принтер".into(), status: TicketStatus::Done }]),
        read_tickets: vec![(5, Some(ticket(5, "c1", TicketStatus::InProgress)))],
        ..Facts::default()
    };
    facts.now = Some(chrono::Utc::now());
    let press = Event::Press { id: "q".into(), data: "cx:5".into(), message: None };
    let outcome = step(&settings(), &linked(), &input(press), &facts).expect("decided on these facts");
    assert_eq!(outcome.effects, vec![Effect::CancelTicket { ticket_id: 5, contact_id: "c1".into() }]);
    let cancelled = texts::fill(texts::TICKET_CANCELLED.ru, &[("id", "5")]);
    assert_eq!(texts_of(&outcome), vec![format!("{cancelled}\n\n{}", texts::NO_MORE_ACTIVE.ru)]);
    assert_eq!(last_keyboard(&outcome), main_menu(TicketCounts { active: 0, completed: 0 }, Lang::Ru));
}

/// A reply that names a ticket which is not the client's, sent while a comment on their own
/// ticket is awaited: the replied-to ticket is read apart from the awaited one, so the message
/// is the comment in progress (it was refused: one read ticket per message).
#[test]
fn a_reply_naming_someone_elses_ticket_leaves_the_comment_in_progress_to_its_own() {
    let tickets = vec![TicketSummary { id: 5, subject: "Принтер".into(), status: TicketStatus::InProgress }];
    let quoted = texts::fill(texts::TICKET_CREATED.ru, &[("id", "9")]);
    let content = Content {
        text: Some("Картридж заменили".into()),
        reply_to: Some(RepliedTo { message_id: 900, text: Some(quoted) }),
        ..Content::default()
    };
    let (outcome, needs) = run_with(&commenting(5, false), Event::Message(content), PhoneMatches::default(), tickets);
    let Effect::AddComment(comment) = &outcome.effects[0] else { panic!("a comment: {:?}", outcome) };
    assert_eq!((comment.ticket_id, comment.text.as_str()), (5, "Картридж заменили"));
    assert!(needs.contains(&Need::Ticket(9)) && needs.contains(&Need::Ticket(5)), "{needs:?}");
}
