//! `Bot::handle` on the in-memory store: arbitrary sequences of updates from a registered and an
//! unregistered user, mixing arbitrary events with presses of the buttons the bot just drew,
//! menu labels, redeliveries and now and then a storage fault. Every update is handled: an
//! `Err` comes only from an injected fault, says nothing to the user, and the redelivery that
//! follows succeeds (else Telegram would redeliver it forever). Every reply fits Telegram's
//! limits, and every press is answered once.

use crate::dialogue::check_press_answers;
use crate::inputs::{self, ME};
use crate::limits::check_reply;
use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use proptest::sample::{select, Index};
use proptest::test_runner::TestCaseError;
use shared::app::Bot;
use shared::dialogue::{Command, Content, Event, Inbound, Keyboard, Reply};
use shared::domain::{Client, Contact, Employee, Ticket, TicketStatus};
use shared::phone::Phone;
use shared::ports::{Directory, DownloadError, TicketStore};
use shared::test_util::fixtures::settings;
use shared::test_util::memory::{Fault, InMemoryStore, Operation};
use shared::test_util::{fixtures, FakeBucket, FakeMessenger};

/// A user who never shared a phone.
const STRANGER: u64 = 2002;

fn png() -> Vec<u8> {
    let mut png = std::io::Cursor::new(vec![]);
    image::RgbImage::from_pixel(2, 2, image::Rgb([200, 10, 10])).write_to(&mut png, image::ImageFormat::Png).unwrap();
    png.into_inner()
}

/// Telegram as the app sees it: serves files by what their id says (`jpeg-`, `png-`, `junk-`
/// bytes; `big-` is over the download limit).
fn telegram() -> FakeMessenger {
    FakeMessenger::serving(|file_id| match file_id.split('-').next() {
        Some("jpeg") => Ok(vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F']),
        Some("png") => Ok(png()),
        Some("big") => Err(DownloadError::TooLarge),
        _ => Ok(b"\0not an image at all".to_vec()),
    })
}

/// One delivery in a sequence.
#[derive(Debug, Clone)]
enum Delivery {
    /// Any event.
    Event(Event),
    /// A press of an inline button the bot drew to this user last (by its place).
    DrawnButton(Index),
    /// A label of the reply keyboard the bot drew to this user last, typed as Telegram sends it.
    MenuLabel(Index),
    /// The previous update once more, as Telegram redelivers.
    Again,
}

fn delivery() -> impl Strategy<Value = Delivery> {
    prop_oneof![
        3 => inputs::event().prop_map(Delivery::Event),
        4 => any::<Index>().prop_map(Delivery::DrawnButton),
        3 => any::<Index>().prop_map(Delivery::MenuLabel),
        1 => Just(Delivery::Again),
    ]
}

/// The store operations `Bot::handle` calls.
const OPERATIONS: [Operation; 9] = [
    Operation::LoadUser,
    Operation::Commit,
    Operation::FindByPhone,
    Operation::ContactTickets,
    Operation::NextTicketId,
    Operation::Ticket,
    Operation::AlbumClaim,
    Operation::GetClient,
    Operation::GetEmployee,
];

/// Now and then, a fault the store meets at the next call of an operation during the update.
fn fault() -> impl Strategy<Value = Option<(Operation, Fault)>> {
    let fault = (select(OPERATIONS.to_vec()), select(vec![Fault::Unavailable, Fault::Conflict, Fault::LostReply]));
    prop_oneof![7 => Just(None), 1 => fault.prop_map(Some)]
}

fn pending_faults(store: &InMemoryStore) -> usize {
    OPERATIONS.iter().map(|operation| store.pending_faults(*operation)).sum()
}

/// Who sends a delivery: mostly the registered user.
fn sender() -> impl Strategy<Value = u64> {
    prop_oneof![4 => Just(ME), 1 => Just(STRANGER)]
}

/// The desk's tickets of the registered contact (c3): statuses and subjects.
fn tickets() -> impl Strategy<Value = Vec<(TicketStatus, String)>> {
    prop::collection::vec((select(TicketStatus::ALL.to_vec()), inputs::name()), 0..10)
}

/// The account manager's Telegram account.
const MANAGER: u64 = 3003;

/// A directory where one phone belongs to one contact (c3, which the registered user shares),
/// another to contacts of two companies (c1, c2) and a third to an employee (e1), the manager
/// of the first company.
async fn desk(store: &InMemoryStore, tickets: &[(TicketStatus, String)]) {
    let phone = |p: &str| Phone::from_e164(p).unwrap();
    let employee = Employee {
        id: "e1".into(),
        name: "Иван Петров".into(),
        phone: Some(phone("+79990000002")),
        active: true,
        telegram_user: None,
    };
    store.put_employee(&employee, None).await.unwrap();
    for (id, name, manager) in [("k1", "ООО Ромашка", Some("e1")), ("k2", "АО Лютик", None)] {
        let client = Client { id: id.into(), name: name.into(), manager_id: manager.map(str::to_owned), vip: false };
        store.put_client(&client).await.unwrap();
    }
    for (id, client, number) in
        [("c1", "k1", "+79123456789"), ("c2", "k2", "+79123456789"), ("c3", "k1", "+79990000001")]
    {
        let contact = Contact {
            id: id.into(),
            name: "Анна".into(),
            phone: phone(number),
            client_id: client.into(),
            active: true,
            telegram_user: None,
        };
        store.put_contact(&contact, None, Utc::now()).await.unwrap();
    }
    for (status, subject) in tickets {
        let id = store.next_ticket_id().await.unwrap();
        let at = Utc.timestamp_opt(1_764_000_000 + id as i64, 0).unwrap();
        let ticket = Ticket { subject: subject.clone(), ..fixtures::ticket(id, "c3", *status, at) };
        store.create_ticket(&ticket, &[], None).await.unwrap();
    }
}

/// What the bot last drew for a user.
#[derive(Default)]
struct Screen {
    inline: Vec<String>,
    menu: Vec<&'static str>,
}

impl Screen {
    fn show(&mut self, reply: &Reply) {
        if let Reply::Text { keyboard, .. } = reply {
            match keyboard {
                Keyboard::Inline(rows) => self.inline = rows.iter().flatten().map(|b| b.press.encode()).collect(),
                Keyboard::Menu(labels) => self.menu = labels.clone(),
                Keyboard::SharePhone(_) | Keyboard::Remove => self.menu.clear(),
                Keyboard::Keep => {}
            }
        }
    }
}

/// Who sends, what, and the fault the store meets while handling it, if any.
type Step = (u64, Delivery, Option<(Operation, Fault)>);

async fn run_sequence(
    tickets: &[(TicketStatus, String)],
    manager_linked: bool,
    registered: bool,
    deliveries: &[Step],
) -> Result<(), TestCaseError> {
    let store = InMemoryStore::new();
    desk(&store, tickets).await;
    let telegram = telegram();
    let bot = Bot { store: store.clone(), messenger: telegram.clone(), files: FakeBucket, settings: settings() };
    let mut screens = std::collections::HashMap::<u64, Screen>::new();
    let mut update_id = 100;
    let mut previous: Option<Inbound> = None;
    let mut all = vec![];
    if manager_linked {
        all.push((
            MANAGER,
            Delivery::Event(Event::Contact {
                phone: "79990000002".into(),
                owner: Some(MANAGER),
                card: Default::default(),
            }),
            None,
        ));
    }
    if registered {
        all.push((
            ME,
            Delivery::Event(Event::Contact { phone: "79990000001".into(), owner: Some(ME), card: Default::default() }),
            None,
        ));
    }
    all.extend(deliveries.iter().cloned());
    for (user, delivery, fault) in all {
        let inbound = match (delivery, &previous) {
            (Delivery::Again, Some(previous)) => previous.clone(),
            (delivery, _) => {
                update_id += 1;
                let event = event_of(delivery, screens.entry(user).or_default(), update_id);
                // Telegram apps in Russian, English, or saying nothing: the keyboards on screen change.
                let language_code = [None, Some("en"), Some("ru")][(update_id % 3) as usize].map(str::to_owned);
                Inbound { update_id, user_id: user, chat_id: user as i64, event, language_code }
            }
        };
        let screen = screens.entry(inbound.user_id).or_default();
        if let Some((operation, fault)) = fault {
            store.fail_next(operation, fault);
        }
        let queued = pending_faults(&store);
        let handled = bot.handle(&inbound, Utc::now()).await;
        let met_a_fault = pending_faults(&store) < queued;
        store.clear_faults();
        let handled = match handled {
            Ok(handled) => handled,
            Err(error) => {
                let what = format!("{inbound:?} failed: {error} ({:?})", std::error::Error::source(&error));
                prop_assert!(met_a_fault, "{what} without a fault");
                prop_assert!(telegram.sent().is_empty(), "{what}, and the user was told something");
                // Telegram redelivers; this time the store answers.
                bot.handle(&inbound, Utc::now())
                    .await
                    .map_err(|error| TestCaseError::fail(format!("{what}, and again: {error}")))?
            }
        };
        let mut replies: Vec<Reply> = telegram.take_sent();
        replies.extend(handled.respond_with.clone());
        for reply in &replies {
            check_reply(reply)?;
            screen.show(reply);
        }
        if !handled.duplicate {
            check_press_answers(&inbound.event, &replies)?;
        }
        previous = Some(inbound);
    }
    Ok(())
}

/// The event a delivery makes, given what the user has on their screen.
fn event_of(delivery: Delivery, screen: &Screen, update_id: u64) -> Event {
    match delivery {
        Delivery::Event(event) => event,
        Delivery::DrawnButton(at) if !screen.inline.is_empty() => Event::Press {
            id: format!("cb-{update_id}"),
            data: screen.inline[at.index(screen.inline.len())].clone(),
            message: None,
        },
        Delivery::MenuLabel(at) if !screen.menu.is_empty() => {
            let label = screen.menu[at.index(screen.menu.len())];
            Event::Message(Content { text: Some(label.into()), ..Content::default() })
        }
        Delivery::DrawnButton(_) | Delivery::MenuLabel(_) | Delivery::Again => Event::Command(Command::Start),
    }
}

proptest! {
    #![proptest_config(crate::config(400))]

    #[test]
    fn every_update_is_handled(
        tickets in tickets(),
        manager_linked in any::<bool>(),
        registered in prop_oneof![4 => Just(true), 1 => Just(false)],
        deliveries in prop::collection::vec((sender(), delivery(), fault()), 1..24),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        runtime.block_on(run_sequence(&tickets, manager_linked, registered, &deliveries))?;
    }
}
