// lapor-bot's browser sandbox: a citizen's chat and the staff group, both acting through the
// emulator's control API (/_emulator/). No build step, no library: plain DOM.
"use strict";

(() => {
  let config = null;
  let texts = {};
  const $ = (selector) => document.querySelector(selector);
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  // A catalogue text by its short name, with {placeholders} filled in.
  function t(key, params = {}) {
    const template = texts[key] ?? key;
    return template.replace(/\{(\w+)\}/g, (whole, name) =>
      name in params ? String(params[name]) : whole,
    );
  }

  async function api(path, body) {
    const options =
      body === undefined
        ? {}
        : {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify(body),
          };
    const response = await fetch(path, options);
    if (!response.ok) {
      throw new Error(`${path}: ${response.status}`);
    }
    return response.json();
  }

  function alertText(text) {
    const box = $("#alert");
    box.textContent = text;
    box.hidden = !text;
  }

  function announce(text) {
    const region = $("#announce");
    region.textContent = "";
    // A fresh text node after a tick makes screen readers read it even when repeated.
    setTimeout(() => {
      region.textContent = text;
    }, 50);
  }

  async function act(step) {
    try {
      alertText("");
      await step();
    } catch (error) {
      alertText(t("error"));
    }
  }

  // --- rendering one message ----------------------------------------------------------

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function inlineRows(message) {
    return (message.reply_markup && message.reply_markup.inline_keyboard) || [];
  }

  function mediaPart(message) {
    const kind = message.media;
    if (!kind) return null;
    if (kind === "photo") {
      const image = element("img", "photo");
      image.src = `/sandbox/files/${encodeURIComponent(message.file_id)}`;
      image.alt = t("photo");
      // Photos people send in the sandbox are placeholders, not pictures: say so instead.
      image.addEventListener("error", () => image.replaceWith(element("p", "media", t("photo"))));
      return image;
    }
    if (kind === "document") {
      const link = element("a", "media");
      const name = (message.content.document || {}).file_name || t("document");
      link.href = `/sandbox/files/${encodeURIComponent(message.file_id)}`;
      link.download = name;
      link.textContent = t("download", { name });
      return link;
    }
    if (kind === "location") {
      const where = message.content.location || {};
      return element("p", "media", `${t("location")} ${where.latitude}, ${where.longitude}`);
    }
    if (kind === "voice") return element("p", "media", t("voice"));
    return element("p", "media", t("document"));
  }

  function signature(message) {
    return JSON.stringify([message.text, message.caption, message.reply_markup, message.edited]);
  }

  // --- a chat pane ---------------------------------------------------------------------

  class Pane {
    constructor(root, chatId, actor) {
      this.root = root;
      this.log = root.querySelector(".log");
      this.list = root.querySelector(".messages");
      this.chatId = chatId;
      this.actor = actor;
      this.messages = new Map();
      this.nodes = new Map();
      this.lastId = 0;
      this.queue = Promise.resolve();
    }

    sender(message) {
      if (message.from_bot) return t("from_bot");
      return message.sender_id === this.actor.id ? t("from_you") : String(message.sender_id);
    }

    shows(message) {
      return !message.deleted && !("forum_topic_created" in message.content);
    }

    render(message) {
      const item = element("li", message.from_bot ? "message from-bot" : "message from-person");
      item.dataset.messageId = message.message_id;
      item.append(element("p", "who", this.sender(message)));
      const body = message.text ?? message.caption;
      if (body) item.append(element("p", "body", body));
      const media = mediaPart(message);
      if (media) item.append(media);
      const rows = inlineRows(message);
      if (rows.length) {
        const group = element("div", "buttons");
        group.setAttribute("role", "group");
        for (const row of rows) {
          const line = element("div", "row");
          for (const button of row) {
            const press = element("button", "inline", button.text);
            press.type = "button";
            press.addEventListener("click", () => this.press(message, button.text));
            line.append(press);
          }
          group.append(line);
        }
        item.append(group);
      }
      this.decorate(item, message);
      return item;
    }

    decorate(item, message) {}

    place(message) {
      const old = this.nodes.get(message.message_id);
      const item = this.render(message);
      if (old) old.replaceWith(item);
      else this.list.append(item);
      this.nodes.set(message.message_id, item);
    }

    async press(message, label) {
      await act(async () => {
        const before = (await api("/_emulator/callback_answers")).length;
        await api(`/_emulator/users/${this.actor.id}/press`, {
          label,
          chat_id: this.chatId,
          message_id: message.message_id,
        });
        await this.refresh();
        await showCallbackAlert(before, this.actor.id);
        if (document.activeElement === document.body) this.root.querySelector("input").focus();
      });
    }

    // Serialised, so two refreshes never interleave their DOM changes.
    refresh() {
      this.queue = this.queue.then(() => this.load()).catch(() => alertText(t("error")));
      return this.queue;
    }

    async load() {
      const history = await api(`/_emulator/chats/${this.chatId}/messages`);
      const present = new Set();
      for (const message of history) {
        present.add(message.message_id);
        this.lastId = Math.max(this.lastId, message.message_id);
        const known = this.messages.get(message.message_id);
        this.messages.set(message.message_id, message);
        if (!this.shows(message)) continue;
        if (!known || signature(known) !== signature(message)) this.changed(message, !known);
      }
      for (const id of [...this.messages.keys()]) {
        if (!present.has(id)) {
          this.messages.delete(id);
          this.nodes.get(id)?.remove();
          this.nodes.delete(id);
        }
      }
      this.after();
    }

    changed(message, isNew) {
      this.place(message);
      if (isNew) this.log.scrollTop = this.log.scrollHeight;
    }

    after() {}

    // Any change to the chat, a staff card edited in place included, shows at once.
    async follow() {
      let revision = -1;
      for (;;) {
        try {
          const now = await api(
            `/_emulator/chats/${this.chatId}/changes?revision=${revision}&timeout=20`,
          );
          if (now.revision !== revision) await this.refresh();
          revision = now.revision;
        } catch (error) {
          await sleep(2000);
        }
      }
    }
  }

  async function showCallbackAlert(before, userId) {
    // The bot answers a press within a moment; a refusal comes as an alert, read aloud.
    for (let tries = 0; tries < 20; tries += 1) {
      const answers = await api("/_emulator/callback_answers");
      const mine = answers.slice(before).filter((answer) => answer.user_id === userId);
      if (mine.length) {
        const shown = mine.filter((answer) => answer.text);
        if (shown.length) alertText(t("alert", { text: shown[shown.length - 1].text }));
        return;
      }
      await sleep(150);
    }
  }

  // --- the citizen ---------------------------------------------------------------------

  class CitizenPane extends Pane {
    after() {
      // The reply keyboard shown is the last one sent; a message removing it hides it.
      let keyboard = null;
      for (const message of [...this.messages.values()].sort((a, b) => a.message_id - b.message_id)) {
        const markup = message.from_bot ? message.reply_markup : null;
        if (markup && markup.keyboard) keyboard = markup.keyboard;
        else if (markup && markup.remove_keyboard) keyboard = null;
      }
      const box = $("#citizen-keyboard");
      const hadFocus = box.contains(document.activeElement);
      box.replaceChildren();
      for (const row of keyboard || []) {
        const line = element("div", "row");
        for (const button of row) {
          const press = element("button", "reply-button", button.text);
          press.type = "button";
          press.addEventListener("click", () =>
            act(async () => {
              await api(`/_emulator/users/${this.actor.id}/press`, { label: button.text });
              await this.refresh();
            }),
          );
          line.append(press);
        }
        box.append(line);
      }
      box.hidden = !keyboard;
      if (hadFocus) $("#citizen-input").focus();
    }

    async say(text) {
      await api(`/_emulator/users/${this.actor.id}/say`, { text });
      await this.refresh();
    }

    async sample(kind) {
      const bodies = {
        photo: ["photo", {}],
        document: ["document", { file_name: "bukti.pdf", mime_type: "application/pdf" }],
        voice: ["voice", { duration: 8 }],
        location: ["location", config.sample_location],
      };
      const [action, body] = bodies[kind];
      await api(`/_emulator/users/${this.actor.id}/${action}`, body);
      await this.refresh();
    }
  }

  // --- the staff group -----------------------------------------------------------------

  const GENERAL = "general";

  class StaffPane extends Pane {
    constructor(root, chatId, actor) {
      super(root, chatId, actor);
      this.topics = [];
      this.topic = GENERAL;
      this.readUpTo = new Map();
      this.replyTo = null;
      this.loaded = false;
    }

    sender(message) {
      if (message.from_bot) return t("from_bot");
      return message.sender_id === this.actor.id ? this.actor.name : String(message.sender_id);
    }

    topicOf(message) {
      return message.thread_id == null ? GENERAL : String(message.thread_id);
    }

    topicName(key) {
      if (key === GENERAL) return t("general");
      const topic = this.topics.find((item) => String(item.message_thread_id) === key);
      return topic ? topic.name : key;
    }

    shows(message) {
      return super.shows(message) && this.topicOf(message) === this.topic;
    }

    decorate(item, message) {
      if (!message.from_bot) return;
      const reply = element("button", "reply", t("reply"));
      reply.type = "button";
      reply.addEventListener("click", () => this.startReply(message));
      item.append(reply);
    }

    startReply(message) {
      this.replyTo = message;
      const first = (message.text ?? message.caption ?? "").split("\n")[0];
      $("#replying-text").textContent = t("replying", { text: first });
      $("#replying").hidden = false;
      $("#staff-input").focus();
    }

    cancelReply() {
      this.replyTo = null;
      $("#replying").hidden = true;
    }

    changed(message, isNew) {
      super.changed(message, isNew);
      this.readUpTo.set(this.topic, Math.max(this.readUpTo.get(this.topic) || 0, message.message_id));
    }

    async load() {
      const before = this.unread();
      const chats = await api("/_emulator/chats");
      const group = chats.find((chat) => chat.id === this.chatId);
      this.topics = group ? group.topics : [];
      await super.load();
      const now = this.unread();
      for (const [key, count] of now) {
        // What was there before the page opened is not news.
        if (this.loaded && count > (before.get(key) || 0)) {
          announce(t("new_in_topic", { name: this.topicName(key) }));
        }
      }
      this.loaded = true;
      this.renderTopics(now);
    }

    unread() {
      const counts = new Map();
      for (const message of this.messages.values()) {
        if (message.deleted || "forum_topic_created" in message.content) continue;
        const key = this.topicOf(message);
        if (key === this.topic) continue;
        if (message.message_id > (this.readUpTo.get(key) || 0)) {
          counts.set(key, (counts.get(key) || 0) + 1);
        }
      }
      return counts;
    }

    renderTopics(unread) {
      const list = $("#topic-list");
      const hadFocus = list.contains(document.activeElement);
      list.replaceChildren();
      const keys = [GENERAL, ...this.topics.map((topic) => String(topic.message_thread_id))];
      for (const key of keys) {
        const item = element("li");
        const choose = element("button", "topic", this.topicName(key));
        choose.type = "button";
        choose.dataset.topic = key;
        choose.setAttribute("aria-pressed", String(key === this.topic));
        const count = unread.get(key);
        if (count) choose.append(" ", element("span", "badge", t("unread", { count })));
        choose.addEventListener("click", () => this.choose(key));
        item.append(choose);
        list.append(item);
      }
      if (hadFocus) list.querySelector(`[data-topic="${this.topic}"]`)?.focus();
    }

    async choose(key) {
      this.topic = key;
      this.cancelReply();
      // Showing another topic's history is not news: keep it from being read out as new.
      this.log.setAttribute("aria-live", "off");
      this.list.replaceChildren();
      this.nodes.clear();
      for (const message of [...this.messages.values()].sort((a, b) => a.message_id - b.message_id)) {
        if (this.shows(message)) this.changed(message, true);
      }
      this.renderTopics(this.unread());
      setTimeout(() => this.log.setAttribute("aria-live", "polite"), 100);
    }

    async say(text) {
      const body = { text, chat_id: this.chatId };
      if (this.topic !== GENERAL) body.thread_id = Number(this.topic);
      if (this.replyTo) body.reply_to = this.replyTo.message_id;
      await api(`/_emulator/users/${this.actor.id}/say`, body);
      this.cancelReply();
      await this.refresh();
    }
  }

  // --- start ---------------------------------------------------------------------------

  function applyTexts() {
    document.documentElement.lang = config.locale;
    document.title = t("title");
    for (const node of document.querySelectorAll("[data-text]")) {
      node.textContent = t(node.dataset.text);
    }
    for (const node of document.querySelectorAll("[data-label]")) {
      node.setAttribute("aria-label", t(node.dataset.label));
    }
  }

  function wireForm(form, input, pane) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = input.value.trim();
      if (!text) return;
      input.value = "";
      act(() => pane.say(text));
    });
  }

  async function start() {
    config = await api("/sandbox/config.json");
    texts = config.texts;
    applyTexts();
    const citizen = new CitizenPane($("#citizen"), config.citizen.id, config.citizen);
    const staff = new StaffPane($("#staff"), config.group.id, config.staff);
    wireForm($("#citizen-form"), $("#citizen-input"), citizen);
    wireForm($("#staff-form"), $("#staff-input"), staff);
    for (const button of document.querySelectorAll("[data-sample]")) {
      button.addEventListener("click", () => act(() => citizen.sample(button.dataset.sample)));
    }
    $("#cancel-reply").addEventListener("click", () => staff.cancelReply());
    await Promise.all([citizen.refresh(), staff.refresh()]);
    document.body.dataset.ready = "true";
    citizen.follow();
    staff.follow();
  }

  start().catch(() => alertText("lapor-bot sandbox: /sandbox/config.json"));
})();
