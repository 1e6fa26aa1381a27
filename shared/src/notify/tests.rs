//! The notifier's pure part: who hears what, in which words, cut into which messages.

use super::*;
use crate::dialogue::TicketSummary;
use crate::domain::{Actor, AuthorKind, Comment, Ticket, TicketCounts, TicketStatus, BOT_SOURCE};
use crate::texts::{self, fill, Lang};
use chrono::{TimeZone, Utc};

fn ticket() -> Ticket {
    let at = Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).unwrap();
    let made = crate::test_util::fixtures::ticket(42, "c1", TicketStatus::New, at);
    Ticket { subject: "Почта <не> работает & всё".into(), source: "email".into(), ..made }
}

fn settings(url: &str) -> NoticeSettings {
    NoticeSettings {
        service_desk_url: url.into(),
        timezone: crate::zone::Zone::named("Europe/Moscow").expect("a zone"),
        default_lang: Lang::Ru,
    }
}

#[test]
fn several_fields_in_one_write_make_one_escaped_message() {
    let old = ticket();
    let mut new = ticket();
    new.status = TicketStatus::InProgress;
    new.assignee_id = Some("e2".into());
    new.deadline = Some(Utc.with_ymd_and_hms(2026, 11, 28, 15, 0, 0).unwrap());
    let context = Context { assignee_name: Some("Пётр <И>".into()), ..Context::default() };
    let change = Change::TicketChanged { old: Box::new(old), new: Box::new(new) };
    let out = notices(&change, &context, &settings("https://desk.example.com"), Lang::Ru);
    assert_eq!(out.len(), 1);
    let html = &out[0].html;
    assert!(html.contains("Почта &lt;не&gt; работает &amp; всё"));
    assert!(html.contains("В работе") && html.contains("Пётр &lt;И&gt;") && html.contains("28.11.2026 18:00"));
    assert!(html.contains("https://desk.example.com/tickets/42"));
    assert_eq!(out[0].to, Recipient::Contact("c1".into()));
}

#[test]
fn the_clients_own_change_is_not_echoed_and_internal_notes_stay_inside() {
    let old = ticket();
    let mut new = ticket();
    new.status = TicketStatus::Cancelled;
    new.changed_by = Actor::Client("c1".into());
    let change = Change::TicketChanged { old: Box::new(old), new: Box::new(new) };
    assert!(notices(&change, &Context::default(), &settings("https://d"), Lang::Ru).is_empty(), "no assignee: nobody");

    let note = Comment {
        id: "e1".into(),
        ticket_id: 42,
        author_kind: AuthorKind::Employee,
        author_id: "e2".into(),
        author_name: "Пётр".into(),
        text: "между нами".into(),
        internal: true,
        created_at: Utc::now(),
    };
    let context = Context { ticket: Some(ticket()), ..Context::default() };
    assert!(notices(
        &Change::CommentAdded { comment: note, files: vec![] },
        &context,
        &settings("https://d"),
        Lang::Ru
    )
    .is_empty());
}

/// A comment's files (those Telegram has) follow its text notice in a notice of their own, to
/// the client for staff's public comments and to the assignee for the client's; an internal
/// note's files reach no client.
#[test]
fn a_comments_files_follow_its_notice_and_an_internal_notes_never_reach_the_client() {
    let photo = crate::test_util::fixtures::telegram_photo("AgAC-diagram");
    let comment = |kind: AuthorKind, internal: bool| Comment {
        id: "x1".into(),
        ticket_id: 42,
        author_kind: kind,
        author_id: if kind == AuthorKind::Employee { "e2".into() } else { "c1".into() },
        author_name: "Пётр".into(),
        text: "Схема подключения".into(),
        internal,
        created_at: Utc::now(),
    };
    let mut assigned = ticket();
    assigned.assignee_id = Some("e2".into());
    let context = Context { ticket: Some(assigned), ..Context::default() };
    let told = |comment: Comment| {
        let change = Change::CommentAdded { comment, files: vec![photo.clone()] };
        let out = notices(&change, &context, &settings("https://d"), Lang::Ru);
        out.into_iter().map(|n| (n.to.code(), n.files.len(), n.html.is_empty())).collect::<Vec<_>>()
    };
    assert_eq!(
        told(comment(AuthorKind::Employee, false)),
        [("contact:c1".to_owned(), 0, false), ("contact:c1".to_owned(), 1, true)],
        "the text, then the photo"
    );
    assert!(told(comment(AuthorKind::Employee, true)).is_empty(), "an internal note's photo reaches no client");
    assert_eq!(
        told(comment(AuthorKind::Client, false)),
        [("employee:e2".to_owned(), 0, false), ("employee:e2".to_owned(), 1, true)],
        "the engineer sees the client's photo where they are"
    );
    let change = Change::CommentAdded { comment: comment(AuthorKind::Client, false), files: vec![photo.clone()] };
    let out = notices(&change, &context, &settings("https://d"), Lang::Ru);
    assert_eq!(
        [notices::key_of("ev1", &out[0]), notices::key_of("ev1", &out[1])],
        ["ev1#employee:e2".to_owned(), "ev1#employee:e2#files".to_owned()]
    );
    assert_eq!(notices::recipient_code("ev1#employee:e2#files"), Some("employee:e2"));
}

#[test]
fn long_texts_split_under_the_limit_without_losing_a_character() {
    let text = format!("{}\n{}", "а".repeat(3000), "б".repeat(5000));
    let parts = split_message(&text);
    assert!(parts.iter().all(|p| p.chars().count() <= MAX_MESSAGE_CHARS));
    assert_eq!(parts.concat(), text);
    assert_eq!(parts.len(), 3);
}

#[test]
fn a_long_line_is_never_cut_inside_an_entity() {
    for shift in 0..6 {
        let text = format!("{}{}", "x".repeat(MAX_MESSAGE_CHARS - 3 + shift), escape("a & b < c").repeat(300));
        let parts = split_message(&text);
        assert_eq!(parts.concat(), text);
        for part in &parts {
            assert!(part.chars().count() <= MAX_MESSAGE_CHARS);
            let last_amp = part.rfind('&');
            assert!(
                last_amp.is_none_or(|at| part[at..].contains(';')),
                "cut inside an entity: …{}",
                &part[part.len() - 10..]
            );
        }
    }
}

#[test]
fn every_failure_reason_reads_back_from_its_code() {
    let codes: std::collections::HashSet<&str> = FailureReason::ALL.iter().map(|r| r.code()).collect();
    assert_eq!(codes.len(), FailureReason::ALL.len(), "codes are distinct");
    for reason in FailureReason::ALL {
        assert_eq!(FailureReason::from_code(reason.code()), Some(reason));
    }
    assert_eq!(FailureReason::from_code("gremlins"), None);
}

#[test]
fn a_completion_is_announced_once_and_later_changes_plainly() {
    let change = |from: TicketStatus, to: TicketStatus| {
        let (mut old, mut new) = (ticket(), ticket());
        (old.status, new.status) = (from, to);
        let out = notices(
            &Change::TicketChanged { old: Box::new(old), new: Box::new(new) },
            &Context::default(),
            &settings("https://d"),
            Lang::Ru,
        );
        out[0].html.clone()
    };
    let done = fill(texts::NOTICE_DONE.ru, &[("status", "Выполнен")]);
    assert!(change(TicketStatus::InProgress, TicketStatus::Done).contains(&done));
    let closed = change(TicketStatus::Done, TicketStatus::Closed);
    assert!(closed.contains(&fill(texts::NOTICE_STATUS.ru, &[("status", "Закрыт")])), "{closed}");
    assert!(!closed.contains("✅"), "no second completion notice: {closed}");
    let reopened = change(TicketStatus::Closed, TicketStatus::InProgress);
    assert!(reopened.contains(&fill(texts::NOTICE_STATUS.ru, &[("status", "В работе")])));
}

#[test]
fn a_change_is_rendered_alike_in_every_language() {
    let old = ticket();
    let mut new = ticket();
    new.status = TicketStatus::Done;
    new.assignee_id = Some("e2".into());
    let context = Context { assignee_name: Some("Пётр".into()), ..Context::default() };
    let change = Change::TicketChanged { old: Box::new(old), new: Box::new(new) };
    let [ru, en] = Lang::ALL.map(|lang| notices(&change, &context, &settings("https://d"), lang));
    let to = |out: &[Notice]| out.iter().map(|n| (n.to.clone(), n.rate)).collect::<Vec<_>>();
    assert_eq!(to(&ru), to(&en), "the same notices to the same people, in the same order");
    assert!(en[0].html.contains(&fill(texts::NOTICE_DONE.en, &[("status", "Completed")])), "{}", en[0].html);
    assert!(en[0].html.contains(&fill(texts::NOTICE_ASSIGNEE.en, &[("name", "Пётр")])), "{}", en[0].html);
    assert!(en[1].html.ends_with(texts::RATING_ASK.en));
    assert!(ru[0].html.contains(&fill(texts::NOTICE_DONE.ru, &[("status", "Выполнен")])));
}

#[test]
fn the_menu_counts_what_the_batch_changed_over_a_lagging_index() {
    let summary = |id, status| TicketSummary { id, subject: String::new(), status };
    // The index still lists #42 as new and #43 (created a moment ago) not at all.
    let listed = vec![summary(42, TicketStatus::New), summary(7, TicketStatus::Done)];
    let mut seen = SeenTickets::default();
    let (old, mut done) = (ticket(), ticket());
    done.status = TicketStatus::Done;
    seen.note(&Change::TicketChanged { old: Box::new(old), new: Box::new(done) });
    assert_eq!(seen.counts("c1", &listed, None), TicketCounts { active: 0, completed: 2 });
    let mut created = ticket();
    created.id = 43;
    seen.note(&Change::TicketCreated { ticket: created.clone(), files: vec![] });
    assert_eq!(seen.counts("c1", &listed, None), TicketCounts { active: 1, completed: 2 });
    // A consistent read is newer than both; another contact's ticket is not counted.
    let mut reopened = ticket();
    reopened.status = TicketStatus::Waiting;
    assert_eq!(seen.counts("c1", &listed, Some(&reopened)), TicketCounts { active: 2, completed: 1 });
    created.contact_id = "c2".into();
    seen.note(&Change::TicketCreated { ticket: created, files: vec![] });
    assert_eq!(seen.counts("c1", &listed, None), TicketCounts { active: 0, completed: 2 });
}

#[test]
fn bot_tickets_are_not_announced_again_but_vip_managers_hear() {
    let mut from_bot = ticket();
    from_bot.source = BOT_SOURCE.into();
    let context = Context { client_vip: true, manager_id: Some("e1".into()), ..Context::default() };
    let out = notices(
        &Change::TicketCreated { ticket: from_bot, files: vec![] },
        &context,
        &settings("http://localhost"),
        Lang::Ru,
    );
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].to, Recipient::Employee("e1".into()));
}

/// The first low score of a completion (the write that marked the completion told) reaches the
/// assignee and the manager; a score changed later tells no one, low or not; a good score tells
/// nobody.
#[test]
fn a_low_score_is_told_once_a_completion() {
    let completion = Utc::now();
    let rated = |score: Option<u8>, told: bool| {
        let mut t = ticket();
        t.status = TicketStatus::Done;
        t.completed_at = Some(completion);
        t.assignee_id = Some("e2".into());
        t.changed_by = Actor::Client("c1".into());
        t.rating = score.map(|score| crate::domain::Rating { score, at: Utc::now() });
        t.low_score_told = told.then_some(completion);
        t
    };
    let context = Context { manager_id: Some("e1".into()), ..Context::default() };
    let told = |old: Ticket, new: Ticket| {
        let change = Change::TicketChanged { old: Box::new(old), new: Box::new(new) };
        let notices = notices(&change, &context, &settings("https://d"), Lang::Ru);
        notices.iter().filter(|n| n.html.contains("из 5")).map(|n| n.to.code()).collect::<Vec<_>>()
    };
    assert_eq!(told(rated(None, false), rated(Some(1), true)), ["employee:e2", "employee:e1"], "a first low score");
    assert!(told(rated(Some(1), true), rated(Some(2), true)).is_empty(), "low to low: told already");
    assert!(told(rated(Some(5), true), rated(Some(1), true)).is_empty(), "low, good, low again: told already");
    assert_eq!(told(rated(Some(5), false), rated(Some(2), true)).len(), 2, "a good score changed to a first low one");
    assert!(told(rated(None, false), rated(Some(4), false)).is_empty(), "a good score tells staff nothing");
}
