// Web chat widget: the identity is an HttpOnly cookie issued by the server (never sent by this
// script: sender ids in the body need an API token), history and the last
// quick replies kept across reloads, photo upload, location, and answers from units
// (the outbox) fetched every 15 s while the page is open. The page speaks Vietnamese or English
// (chat_i18n.js); links in replies become short clickable labels.
(function () {
  "use strict";
  const log = document.getElementById("log");
  const form = document.getElementById("form");
  const input = document.getElementById("text");
  const quick = document.getElementById("quick");
  const typing = document.getElementById("typing");
  const photo = document.getElementById("photo");
  const STORE = "hanoi-chat-v1";
  const POLL_MS = 15000;
  const MAX_PHOTO = 5 * 1024 * 1024;
  const newSender = () => "web:" + (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2));
  let state;
  try { state = JSON.parse(localStorage.getItem(STORE) || "null"); } catch (e) { state = null; }
  if (!state || typeof state.sender !== "string" || !Array.isArray(state.history)) {
    state = { sender: newSender(), history: [], quick: [] };
  }
  const WORDS = window.HANOI_CHAT_I18N;
  // null until the visitor presses the switch: then the bot detects the language itself
  if (state.lang !== "vi" && state.lang !== "en") state.lang = null;
  const T = () => WORDS[state.lang || "vi"];
  const save = () => {
    try {
      localStorage.setItem(STORE, JSON.stringify({ sender: state.sender, history: state.history.slice(-100), quick: state.quick || [], lang: state.lang }));
    } catch (e) { /* storage full or disabled: the chat still works for this visit */ }
  };

  function applyLang() {
    const words = T();
    document.documentElement.lang = state.lang || "vi";
    document.title = words.title + " — " + words.subtitle;
    document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = words[el.dataset.i18n]; });
    document.querySelectorAll("[data-i18n-title]").forEach((el) => { el.title = words[el.dataset.i18nTitle]; });
    document.querySelectorAll("[data-i18n-aria]").forEach((el) => { el.setAttribute("aria-label", words[el.dataset.i18nAria]); });
    document.querySelectorAll("[data-i18n-placeholder]").forEach((el) => { el.placeholder = words[el.dataset.i18nPlaceholder]; });
    const sw = document.getElementById("lang");
    sw.textContent = words.switchLabel;
    sw.lang = state.lang === "en" ? "vi" : "en";
  }

  // full URLs, and this site's own status pages written as a path ("/status/HN-2611-4F7K")
  const URL_RE = /https?:\/\/[^\s<>"')]+|(?<![\w/])\/status\/[A-Za-z0-9-]+/g;
  function linkLabel(url) {
    try {
      const u = new URL(url, location.origin);
      if (/(^|\.)google\.[a-z.]+$/.test(u.hostname) && u.pathname.startsWith("/maps")) return T().map;
      if (u.pathname.startsWith("/status/")) return T().track + " " + decodeURIComponent(u.pathname.slice(8));
      return u.hostname.replace(/^www\./, "") + (u.pathname.length > 1 ? "/…" : "");
    } catch (e) { return url; }
  }
  // Text nodes and <a> elements only: replies may quote user text, so never innerHTML.
  function fillWithLinks(el, text) {
    let last = 0;
    for (const m of text.matchAll(URL_RE)) {
      if (m.index > last) el.appendChild(document.createTextNode(text.slice(last, m.index)));
      const a = document.createElement("a");
      a.href = m[0].startsWith("/") ? location.origin + m[0] : m[0];
      a.textContent = linkLabel(m[0]);
      a.title = m[0];
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      el.appendChild(a);
      last = m.index + m[0].length;
    }
    if (last < text.length) el.appendChild(document.createTextNode(text.slice(last)));
  }
  function render(who, text) {
    const li = document.createElement("li");
    li.className = "msg msg--" + who;
    if (who === "bot") fillWithLinks(li, text); else li.textContent = text;
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
  }
  function add(who, text) { state.history.push({ who, text }); save(); render(who, text); }
  function setQuick(buttons) {
    state.quick = (buttons || []).filter((b) => b && b.title);
    save();
    quick.replaceChildren();
    state.quick.forEach((b) => {
      const btn = document.createElement("button");
      btn.type = "button";
      btn.textContent = b.title;
      btn.addEventListener("click", () => send({ text: b.payload || b.title }, b.title));
      quick.appendChild(btn);
    });
  }

  async function readJson(resp) {
    try { return await resp.json(); } catch (e) { return {}; }
  }
  function showReplies(data) {
    let buttons = [];
    (data.replies || []).forEach((r) => { if (showReply(r)) buttons = r.buttons; });
    setQuick(buttons);
  }
  // One reply, from the answer or from the inbox: its text, the status link of a new ticket;
  // true when it brings quick-reply buttons.
  function showReply(r) {
    if (r.text) add("bot", r.text);
    const ticket = r.custom && r.custom.ticket;
    if (ticket && typeof ticket.status_url === "string" && ticket.status_url.startsWith("/status/")) {
      add("bot", T().track + ": " + location.origin + ticket.status_url);
    }
    return Array.isArray(r.buttons) && r.buttons.length > 0;
  }
  let busy = 0;
  async function request(url, init, shown) {
    add("user", shown);
    setQuick([]);
    busy += 1;
    typing.hidden = false;
    try {
      const resp = await fetch(url, init);
      const data = await readJson(resp);
      if (!resp.ok) { add("error", data.error || T().errors.status.replace("{0}", resp.status)); return; }
      showReplies(data);
      if (data.queued) {  // stored; the answer comes to the inbox: look more often for 2 minutes
        let n = 0;
        const t = setInterval(() => { poll(); if (++n >= 40) clearInterval(t); }, 3000);
      }
    } catch (e) {
      add("error", T().errors.offline);
    } finally {
      busy -= 1;
      typing.hidden = busy === 0;
      poll();
    }
  }
  function send(body, shown) {
    return request("/api/v1/messages", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(Object.assign({ channel: "web" }, state.lang ? { lang: state.lang } : {}, body)),
    }, shown);
  }
  function sendPhoto(file) {
    if (!["image/jpeg", "image/png", "image/webp"].includes(file.type)) {
      add("error", T().errors.photoType);
      return;
    }
    if (file.size > MAX_PHOTO) { add("error", T().errors.photoSize); return; }
    const body = new FormData();
    body.append("photo", file, file.name || "photo");
    const caption = input.value.trim();
    if (caption) { body.append("text", caption); input.value = ""; }
    request("/api/v1/uploads", { method: "POST", body }, "📷 " + (file.name || T().photo) + (caption ? "\n" + caption : ""));
  }

  // Answers from the responsible unit (written to the outbox, delivered here).
  let polling = false;
  const shownInbox = [];
  async function poll() {
    if (polling || document.hidden) return;
    polling = true;
    try {
      const resp = await fetch("/api/v1/messages/inbox");
      if (resp.ok) {
        const data = await readJson(resp);
        const ids = [];
        (data.messages || []).forEach((m) => {
          ids.push(m.id);
          if (shownInbox.includes(m.id)) return;  // shown before an acknowledgement got lost
          shownInbox.push(m.id);
          if (showReply(m)) setQuick(m.buttons);  // e.g. rate 1–5 / reopen after a resolution
        });
        // Only now the server forgets them: a response lost on the way loses nothing.
        if (ids.length) {
          await fetch("/api/v1/messages/inbox/ack", {
            method: "POST", headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ ids }),  // the identity is the HttpOnly cookie
          });
        }
        if (shownInbox.length > 200) shownInbox.splice(0, shownInbox.length - 200);
      }
    } catch (e) { /* offline: try again at the next tick */ } finally {
      polling = false;
    }
  }

  function greet() {  // first open: say what the assistant does and offer a start
    add("bot", T().greeting);
    setQuick(T().starters);
  }
  applyLang();
  state.history.forEach((m) => render(m.who, m.text));
  setQuick(state.quick);
  if (!state.history.length) greet();
  document.getElementById("lang").addEventListener("click", () => {
    const fresh = state.history.length === 1 && state.history[0].who === "bot";
    state.lang = state.lang === "en" ? "vi" : "en";
    save();
    applyLang();
    if (fresh) {  // nothing said yet: greet again in the chosen language
      state.history = [];
      log.replaceChildren();
      greet();
    }
  });
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    send({ text }, text);
  });
  document.getElementById("loc").addEventListener("click", () => {
    if (!navigator.geolocation) { add("error", T().errors.noGeo); return; }
    navigator.geolocation.getCurrentPosition(
      (pos) => send({ text: "", location: { latitude: pos.coords.latitude, longitude: pos.coords.longitude } }, T().myLocation),
      () => add("error", T().errors.geoFailed),
      { enableHighAccuracy: true, timeout: 15000 });
  });
  document.getElementById("photo-btn").addEventListener("click", () => photo.click());
  photo.addEventListener("change", () => {
    const file = photo.files && photo.files[0];
    photo.value = "";
    if (file) sendPhoto(file);
  });
  document.getElementById("reset").addEventListener("click", () => {
    if (!window.confirm(T().resetConfirm)) return;
    state = { sender: newSender(), history: [], quick: [], lang: state.lang };
    save();
    fetch("/api/v1/chat/new", { method: "POST" }).catch(() => { /* offline: the old identity stays */ });
    log.replaceChildren();
    greet();
  });
  document.addEventListener("visibilitychange", () => { if (!document.hidden) poll(); });
  poll();
  setInterval(poll, POLL_MS);
})();
