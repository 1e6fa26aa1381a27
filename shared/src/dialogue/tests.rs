use super::*;

const ME: TelegramUserId = 1001;

fn settings() -> Settings {
    Settings { support_phone: "+7 800 555-35-35".into(), phone_region: "RU".parse().unwrap() }
}

fn input(event: Event) -> Inbound {
    Inbound { update_id: 1, user_id: ME, chat_id: ME as i64, event }
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

fn linked() -> UserRecord {
    UserRecord {
        link: Some(Link::Contact { contact_id: "c1".into(), client_id: "k1".into(), name: "Анна".into() }),
        state: State::Idle,
        version: 3,
    }
}

/// Runs the step, answering each need from `facts` the way the app does.
fn run(user: &UserRecord, event: Event, matches: PhoneMatches, counts: TicketCounts) -> (Outcome, Vec<Need>) {
    let mut facts = Facts::default();
    let mut needs = vec![];
    loop {
        match step(&settings(), user, &input(event.clone()), &facts) {
            Ok(outcome) => return (outcome, needs),
            Err(need) => {
                match &need {
                    Need::PhoneMatches(_) => facts.phone_matches = Some(matches.clone()),
                    Need::Tickets { .. } => facts.tickets = Some(counts),
                }
                assert!(!needs.contains(&need), "asked twice for {need:?}");
                needs.push(need);
            }
        }
    }
}

fn texts_of(outcome: &Outcome) -> Vec<String> {
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
    for event in [Event::Start, Event::Text("помогите".into()), Event::Unsupported("стикер".into())] {
        let (outcome, needs) = run(&UserRecord::default(), event, PhoneMatches::default(), TicketCounts::default());
        assert!(needs.is_empty());
        assert_eq!(texts_of(&outcome), vec![texts::REGISTER_PROMPT]);
        assert_eq!(last_keyboard(&outcome), Keyboard::SharePhone);
        assert!(outcome.effects.is_empty());
        assert!(outcome.is_read_only(&UserRecord::default()));
    }
}

#[test]
fn someone_elses_contact_card_is_refused_without_a_lookup() {
    for owner in [Some(ME + 1), None] {
        let event = Event::Contact { phone: "+79123456789".into(), owner };
        let (outcome, needs) = run(&UserRecord::default(), event, PhoneMatches::default(), TicketCounts::default());
        assert!(needs.is_empty(), "no directory read for a spoofed card");
        assert_eq!(texts_of(&outcome), vec![texts::REGISTER_OWN_NUMBER_ONLY]);
        assert!(outcome.effects.is_empty());
    }
}

#[test]
fn one_active_contact_is_linked_and_gets_the_menu() {
    let matches = PhoneMatches { contacts: vec![contact("c1", "Ромашка", true)], employees: vec![] };
    let event = Event::Contact { phone: "79123456789".into(), owner: Some(ME) };
    let (outcome, needs) = run(&UserRecord::default(), event, matches.clone(), TicketCounts::default());
    assert_eq!(needs[0], Need::PhoneMatches(phone::normalize("+79123456789", settings().phone_region).unwrap()));
    assert_eq!(outcome.effects, vec![Effect::LinkContact(matches.contacts[0].clone())]);
    assert!(texts_of(&outcome)[0].starts_with("Здравствуйте, Анна!"));
    assert_eq!(last_keyboard(&outcome), Keyboard::Menu(vec![texts::BTN_NEW_TICKET, texts::BTN_CALL_ME]));
}

#[test]
fn a_deactivated_contact_does_not_count() {
    let matches = PhoneMatches { contacts: vec![contact("c1", "Ромашка", false)], employees: vec![] };
    let event = Event::Contact { phone: "+79123456789".into(), owner: Some(ME) };
    let (outcome, _) = run(&UserRecord::default(), event, matches, TicketCounts::default());
    assert!(outcome.effects.is_empty());
    assert!(texts_of(&outcome)[0].contains("+79123456789"));
    assert!(texts_of(&outcome)[0].contains("+7 800 555-35-35"));
}

#[test]
fn an_unparseable_number_is_not_found() {
    let event = Event::Contact { phone: "12".into(), owner: Some(ME) };
    let (outcome, needs) = run(&UserRecord::default(), event, PhoneMatches::default(), TicketCounts::default());
    assert!(needs.is_empty());
    assert_eq!(last_keyboard(&outcome), Keyboard::SharePhone);
    assert!(texts_of(&outcome)[0].contains("не найден"));
}

#[test]
fn a_phone_in_two_companies_asks_which_and_links_the_chosen_one() {
    let matches = PhoneMatches {
        contacts: vec![contact("c1", "Ромашка", true), contact("c2", "Лютик", true), contact("c3", "Старая", false)],
        employees: vec![],
    };
    let event = Event::Contact { phone: "+79123456789".into(), owner: Some(ME) };
    let (asked, _) = run(&UserRecord::default(), event, matches.clone(), TicketCounts::default());
    assert!(asked.effects.is_empty());
    let Keyboard::Inline(rows) = last_keyboard(&asked) else { panic!("inline choice expected") };
    let labels: Vec<_> = rows.iter().map(|r| r[0].label.as_str()).collect();
    assert_eq!(labels, ["Ромашка", "Лютик"]);
    assert!(rows.iter().all(|r| r[0].data.len() <= 64));

    let waiting = UserRecord { link: None, state: asked.state.clone(), version: 1 };
    let press = Event::Callback { id: "cb".into(), data: rows[1][0].data.clone() };
    let (chosen, _) = run(&waiting, press, matches.clone(), TicketCounts { active: 1, completed: 0 });
    assert_eq!(chosen.effects, vec![Effect::LinkContact(matches.contacts[1].clone())]);
    assert_eq!(chosen.replies[0], Reply::AnswerCallback { callback_id: "cb".into(), text: None });
    assert_eq!(chosen.state, State::Idle);
    assert_eq!(
        last_keyboard(&chosen),
        Keyboard::Menu(vec![texts::BTN_NEW_TICKET, texts::BTN_STATUS, texts::BTN_COMMENT, texts::BTN_CANCEL])
    );
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
    };
    let forged = Event::Callback { id: "cb".into(), data: "co:someone-else".into() };
    let (outcome, _) = run(&waiting, forged, matches.clone(), TicketCounts::default());
    assert!(outcome.effects.is_empty());
    assert_eq!(texts_of(&outcome), vec![texts::CHOICE_EXPIRED]);

    let stale = Event::Callback { id: "cb".into(), data: "co:c1".into() };
    let (outcome, _) = run(&UserRecord::default(), stale, matches, TicketCounts::default());
    assert!(outcome.effects.is_empty(), "a press outside the choosing step links nothing");
}

#[test]
fn an_employee_number_links_the_employee() {
    let employee = EmployeeMatch { employee_id: "e1".into(), name: "Иван".into(), linked_user: None };
    let matches = PhoneMatches { contacts: vec![], employees: vec![employee.clone()] };
    let event = Event::Contact { phone: "+79123456789".into(), owner: Some(ME) };
    let (outcome, _) = run(&UserRecord::default(), event, matches, TicketCounts::default());
    assert_eq!(outcome.effects, vec![Effect::LinkEmployee(employee)]);
    assert!(texts_of(&outcome)[0].contains("сотрудник"));
}

#[test]
fn the_menu_fits_the_tickets() {
    let cases = [
        (
            TicketCounts { active: 2, completed: 5 },
            vec![texts::BTN_NEW_TICKET, texts::BTN_STATUS, texts::BTN_COMMENT, texts::BTN_CANCEL],
        ),
        (
            TicketCounts { active: 0, completed: 1 },
            vec![texts::BTN_NEW_TICKET, texts::BTN_CALL_ME, texts::BTN_QUESTION_DONE],
        ),
        (TicketCounts { active: 0, completed: 0 }, vec![texts::BTN_NEW_TICKET, texts::BTN_CALL_ME]),
    ];
    for (counts, buttons) in cases {
        let (outcome, needs) = run(&linked(), Event::Start, PhoneMatches::default(), counts);
        assert_eq!(needs, vec![Need::Tickets { contact_id: "c1".into() }]);
        assert_eq!(texts_of(&outcome), vec![texts::MENU_PROMPT]);
        assert_eq!(last_keyboard(&outcome), Keyboard::Menu(buttons));
        assert!(outcome.is_read_only(&linked()), "/start of a registered user writes nothing");
    }
}
