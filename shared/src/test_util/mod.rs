//! Test support, for this crate's tests and other crates' (feature `test-util`): one set of
//! test doubles and fixtures, so that no test writes its own.
//!
//! - [`memory::InMemoryStore`]: every store port in memory, with injected faults and a count of
//!   round trips;
//! - [`contract`]: the store contract every store implementation passes (the memory store here,
//!   DynamoDB Local in the `e2e` crate);
//! - [`FakeMessenger`]: Telegram as the bot and the notifier meet it — records what is sent,
//!   fails a chat's next sends as scripted, serves files;
//! - [`FakeBucket`]: an attachments bucket that takes every file; [`FakeLinks`]: its links;
//! - [`fixtures`]: the dialogue's settings and a ticket to start from.

pub mod contract;
pub mod fixtures;
pub mod memory;

use crate::dialogue::{Keyboard, Reply};
use crate::ports::{BoxError, DownloadError, FileLinks, FileSource, FileStore, Messenger, SendError, StoreError};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

/// What a file id downloads to.
type Files = Arc<dyn Fn(&str) -> Result<Vec<u8>, DownloadError> + Send + Sync>;

/// Telegram as the bot and the notifier meet it: every send is recorded (in order, with its
/// chat) and takes the next message id, unless a failure was scripted for that chat; files
/// are served by the function given to [`FakeMessenger::serving`] (none by default).
#[derive(Clone, Default)]
pub struct FakeMessenger {
    script: Arc<Mutex<Script>>,
    files: Option<Files>,
}

#[derive(Default)]
struct Script {
    failures: HashMap<i64, VecDeque<SendError>>,
    sent: Vec<(i64, Reply)>,
    attempts: usize,
    /// Message ids handed out, as Telegram does: never twice.
    last_message_id: i64,
}

impl FakeMessenger {
    /// A Telegram whose downloads answer as `files` says.
    pub fn serving(files: impl Fn(&str) -> Result<Vec<u8>, DownloadError> + Send + Sync + 'static) -> Self {
        FakeMessenger { files: Some(Arc::new(files)), ..FakeMessenger::default() }
    }

    /// The next send to `chat` fails with `error` (queued per chat, in order).
    pub fn fail_next(&self, chat: i64, error: SendError) {
        self.lock().failures.entry(chat).or_default().push_back(error);
    }

    /// Every reply sent, in order.
    pub fn sent(&self) -> Vec<Reply> {
        self.lock().sent.iter().map(|(_, reply)| reply.clone()).collect()
    }

    /// Every reply sent since the last call, in order.
    pub fn take_sent(&self) -> Vec<Reply> {
        self.lock().sent.drain(..).map(|(_, reply)| reply).collect()
    }

    /// The text of each notice delivered to `chat`, in order.
    pub fn delivered_to(&self, chat: i64) -> Vec<String> {
        self.notices().into_iter().filter(|(to, ..)| *to == chat).map(|(_, html, ..)| html).collect()
    }

    /// Each notice delivered, with its chat, its text, its keyboard and its link.
    pub fn notices(&self) -> Vec<(i64, String, Keyboard, Option<String>)> {
        let script = self.lock();
        let notices = script.sent.iter().filter_map(|(chat, reply)| match reply {
            Reply::Notice { html, url, keyboard, .. } => Some((*chat, html.clone(), keyboard.clone(), url.clone())),
            _ => None,
        });
        notices.collect()
    }

    /// Sends tried, failed ones included.
    pub fn attempts(&self) -> usize {
        self.lock().attempts
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Script> {
        self.script.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Messenger for FakeMessenger {
    async fn send(&self, chat_id: i64, reply: &Reply) -> Result<Option<i64>, SendError> {
        let mut script = self.lock();
        script.attempts += 1;
        if let Some(error) = script.failures.get_mut(&chat_id).and_then(VecDeque::pop_front) {
            return Err(error);
        }
        script.sent.push((chat_id, reply.clone()));
        script.last_message_id += 1;
        Ok(Some(script.last_message_id))
    }

    fn render(&self, chat_id: i64, reply: &Reply) -> String {
        format!("{chat_id}: {reply:?}")
    }
}

impl FileSource for FakeMessenger {
    async fn download(&self, file_id: &str) -> Result<Vec<u8>, DownloadError> {
        match &self.files {
            Some(files) => files(file_id),
            None => Err(DownloadError::Unavailable(BoxError::from(format!("no file {file_id} in this test")))),
        }
    }
}

/// An attachments bucket that takes every file (the fast tier's tests read files back from no
/// bucket: what a ticket holds is in the store).
#[derive(Clone, Copy, Default)]
pub struct FakeBucket;

impl FileStore for FakeBucket {
    async fn put_file(&self, _: &str, _: Vec<u8>, _: &str, _: &str) -> Result<(), StoreError> {
        Ok(())
    }
}

/// Links to attachments as the bucket would presign them: `https://files.example.com/<key>?signed`.
#[derive(Debug, Clone, Default)]
pub struct FakeLinks {
    /// The objects "uploaded" and their sizes ([`FakeLinks::put`]).
    objects: Arc<Mutex<std::collections::HashMap<String, u64>>>,
}

impl FakeLinks {
    /// An object of `size` bytes at `key`, as a client's upload leaves it.
    pub fn put(&self, key: &str, size: u64) {
        self.objects.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(key.to_owned(), size);
    }
}

impl FileLinks for FakeLinks {
    async fn link(&self, key: &str) -> Result<String, StoreError> {
        Ok(format!("https://files.example.com/{key}?signed"))
    }

    async fn upload_link(
        &self,
        key: &str,
        _content_type: &str,
        size: u64,
        _valid_for: std::time::Duration,
    ) -> Result<String, StoreError> {
        Ok(format!("https://files.example.com/{key}?put&size={size}"))
    }

    async fn stored_size(&self, key: &str) -> Result<Option<u64>, StoreError> {
        Ok(self.objects.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(key).copied())
    }

    async fn copy(&self, from: &str, to: &str, _content_type: &str, _name: &str) -> Result<(), StoreError> {
        let mut objects = self.objects.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let size = objects.get(from).copied().ok_or_else(|| StoreError::rejected(format!("NoSuchKey: {from}")))?;
        objects.insert(to.to_owned(), size);
        Ok(())
    }
}
