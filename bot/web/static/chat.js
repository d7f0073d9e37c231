// Web chat: one sender id per browser (kept in localStorage), history kept across reloads.
(function () {
  "use strict";
  const log = document.getElementById("log");
  const form = document.getElementById("form");
  const input = document.getElementById("text");
  const quick = document.getElementById("quick");
  const typing = document.getElementById("typing");
  const STORE = "hanoi-chat-v1";
  const state = JSON.parse(localStorage.getItem(STORE) || "null") || {
    sender: "web:" + (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random()),
    history: [],
  };
  const save = () => localStorage.setItem(STORE, JSON.stringify({ sender: state.sender, history: state.history.slice(-100) }));

  function render(who, text) {
    const li = document.createElement("li");
    li.className = "msg msg--" + who;
    li.textContent = text;  // never innerHTML: replies may quote user text
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
  }
  function add(who, text) { state.history.push({ who, text }); save(); render(who, text); }
  function setQuick(buttons) {
    quick.replaceChildren();
    (buttons || []).forEach((b) => {
      const btn = document.createElement("button");
      btn.type = "button";
      btn.textContent = b.title;
      btn.addEventListener("click", () => send({ text: b.payload }, b.title));
      quick.appendChild(btn);
    });
  }

  async function send(body, shown) {
    add("user", shown);
    setQuick([]);
    typing.hidden = false;
    try {
      const resp = await fetch("/api/v1/messages", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(Object.assign({ sender_id: state.sender, channel: "web" }, body)),
      });
      const data = await resp.json();
      if (!resp.ok) { add("error", data.error || "Lỗi " + resp.status); return; }
      let buttons = [];
      data.replies.forEach((r) => { if (r.text) add("bot", r.text); if (r.buttons) buttons = r.buttons; });
      setQuick(buttons);
    } catch (e) {
      add("error", "Mất kết nối, tin nhắn chưa được gửi. Vui lòng thử lại.");
    } finally {
      typing.hidden = true;
    }
  }

  state.history.forEach((m) => render(m.who, m.text));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    send({ text }, text);
  });
  document.getElementById("loc").addEventListener("click", () => {
    if (!navigator.geolocation) { add("error", "Trình duyệt không hỗ trợ định vị."); return; }
    navigator.geolocation.getCurrentPosition(
      (pos) => send({ text: "", location: { latitude: pos.coords.latitude, longitude: pos.coords.longitude } }, "📍 Vị trí của tôi"),
      () => add("error", "Không lấy được vị trí. Bạn hãy nhập địa chỉ."));
  });
})();
