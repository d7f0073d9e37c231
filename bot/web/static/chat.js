// Web chat widget: one sender id per browser (kept in localStorage), history and the last
// quick replies kept across reloads, photo upload, location, and answers from units
// (the outbox) fetched every 15 s while the page is open.
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
  const save = () => {
    try {
      localStorage.setItem(STORE, JSON.stringify({ sender: state.sender, history: state.history.slice(-100), quick: state.quick || [] }));
    } catch (e) { /* storage full or disabled: the chat still works for this visit */ }
  };

  function render(who, text) {
    const li = document.createElement("li");
    li.className = "msg msg--" + who;
    li.textContent = text;  // never innerHTML: replies may quote user text
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
    (data.replies || []).forEach((r) => { if (r.text) add("bot", r.text); if (r.buttons) buttons = r.buttons; });
    setQuick(buttons);
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
      if (!resp.ok) { add("error", data.error || "Lỗi " + resp.status + ". Vui lòng thử lại."); return; }
      showReplies(data);
      if (data.queued) {  // stored; the answer comes to the inbox: look more often for 2 minutes
        let n = 0;
        const t = setInterval(() => { poll(); if (++n >= 40) clearInterval(t); }, 3000);
      }
    } catch (e) {
      add("error", "Mất kết nối, tin nhắn chưa được gửi. Vui lòng thử lại.");
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
      body: JSON.stringify(Object.assign({ sender_id: state.sender, channel: "web" }, body)),
    }, shown);
  }
  function sendPhoto(file) {
    if (!["image/jpeg", "image/png", "image/webp"].includes(file.type)) {
      add("error", "Chỉ gửi được ảnh JPEG, PNG hoặc WebP.");
      return;
    }
    if (file.size > MAX_PHOTO) { add("error", "Ảnh quá lớn (tối đa 5 MB)."); return; }
    const body = new FormData();
    body.append("sender_id", state.sender);
    body.append("photo", file, file.name || "photo");
    const caption = input.value.trim();
    if (caption) { body.append("text", caption); input.value = ""; }
    request("/api/v1/uploads", { method: "POST", body }, "📷 " + (file.name || "Ảnh") + (caption ? "\n" + caption : ""));
  }

  // Answers from the responsible unit (written to the outbox, delivered here).
  let polling = false;
  const shownInbox = [];
  async function poll() {
    if (polling || document.hidden) return;
    polling = true;
    try {
      const resp = await fetch("/api/v1/messages/inbox?sender_id=" + encodeURIComponent(state.sender));
      if (resp.ok) {
        const data = await readJson(resp);
        const ids = [];
        (data.messages || []).forEach((m) => {
          ids.push(m.id);
          if (shownInbox.includes(m.id)) return;  // shown before an acknowledgement got lost
          shownInbox.push(m.id);
          if (m.text) add("bot", m.text);
        });
        // Only now the server forgets them: a response lost on the way loses nothing.
        if (ids.length) {
          await fetch("/api/v1/messages/inbox/ack", {
            method: "POST", headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ sender_id: state.sender, ids }),
          });
        }
        if (shownInbox.length > 200) shownInbox.splice(0, shownInbox.length - 200);
      }
    } catch (e) { /* offline: try again at the next tick */ } finally {
      polling = false;
    }
  }

  state.history.forEach((m) => render(m.who, m.text));
  setQuick(state.quick);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    send({ text }, text);
  });
  document.getElementById("loc").addEventListener("click", () => {
    if (!navigator.geolocation) { add("error", "Trình duyệt không hỗ trợ định vị. Bạn hãy nhập địa chỉ."); return; }
    navigator.geolocation.getCurrentPosition(
      (pos) => send({ text: "", location: { latitude: pos.coords.latitude, longitude: pos.coords.longitude } }, "📍 Vị trí của tôi"),
      () => add("error", "Không lấy được vị trí. Bạn hãy nhập địa chỉ."),
      { enableHighAccuracy: true, timeout: 15000 });
  });
  document.getElementById("photo-btn").addEventListener("click", () => photo.click());
  photo.addEventListener("change", () => {
    const file = photo.files && photo.files[0];
    photo.value = "";
    if (file) sendPhoto(file);
  });
  document.getElementById("reset").addEventListener("click", () => {
    if (!window.confirm("Xoá cuộc trò chuyện này và bắt đầu lại?")) return;
    state = { sender: newSender(), history: [], quick: [] };
    save();
    log.replaceChildren();
    setQuick([]);
  });
  document.addEventListener("visibilitychange", () => { if (!document.hidden) poll(); });
  poll();
  setInterval(poll, POLL_MS);
})();
