//! Working hours: a ticket or comment made while the desk is closed gets one more sentence in
//! its confirmation, with the next opening; nothing else changes.

use chrono::{Datelike, Duration, Utc};
use e2e::{updates, TestEnv};
use shared::texts;

const ANNA: u64 = 5001;
const CHAT: i64 = ANNA as i64;

#[tokio::test]
async fn a_ticket_made_while_the_desk_is_closed_says_when_it_opens() {
    // Open only on the weekday two days from now (in the desk's zone): closed now, for sure.
    let zone = chrono_tz::Europe::Moscow;
    let opening_day = Utc::now().with_timezone(&zone).date_naive() + Duration::days(2);
    let day = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][opening_day.weekday().num_days_from_monday() as usize];
    let hours = format!("{day} 09:00-18:00");
    let env = TestEnv::with_env(&[("WORKING_HOURS", &hours)]).await;
    env.registered_contact(ANNA).await;

    env.deliver(&updates::text(10, ANNA, "Не работает принтер")).await;
    let confirmation = env.telegram.texts_to(CHAT).pop().expect("the confirmation");
    let id = env.tickets_of("c1").await[0].id;
    let created = texts::fill(texts::TICKET_CREATED.ru, &[("id", &id.to_string())]);
    let opening = opening_day.and_hms_opt(9, 0, 0).unwrap().and_local_timezone(zone).unwrap();
    assert_eq!(confirmation, format!("{created}\n\n{}", texts::after_hours(opening, shared::texts::Lang::Ru)));
    assert!(confirmation.contains(&opening.format("%d.%m").to_string()) && confirmation.contains("09:00"));

    // A menu press is no ticket or comment: nothing is added.
    env.deliver(&updates::text(11, ANNA, texts::BTN_STATUS.ru)).await;
    assert!(!env.telegram.texts_to(CHAT).pop().unwrap().contains("нерабочее"));

    // Always open (the default): the spec's confirmation alone.
    let open = TestEnv::new().await;
    open.registered_contact(ANNA).await;
    open.deliver(&updates::text(10, ANNA, "Не работает принтер")).await;
    let id = open.tickets_of("c1").await[0].id;
    assert_eq!(
        open.telegram.texts_to(CHAT).pop().unwrap(),
        texts::fill(texts::TICKET_CREATED.ru, &[("id", &id.to_string())])
    );
}
