// The mock-interview page: countdown from the server's clock, autosave with versions, code editors.
//
// Time: the remaining time is `deadline - serverNow()`, where serverNow() is the server's time at the
// last sync plus the monotonic time elapsed since (performance.now()), so a wrong device clock, a
// reload or a throttled background tab never shifts the deadline.
//
// Saving: every answer remembers the version it is based on. A change is saved a few seconds after
// typing stops and when the field loses focus; a failed save is retried with backoff until it
// succeeds; a 409 stale_version (another tab saved first) shows the stored answer instead of
// overwriting it; a 409 session_closed stops editing and keeps what is on screen.
//
// Code: a code answer is a plain textarea until the editor module (editor.js, CodeMirror) arrives, then
// the editor takes over with whatever was typed; sessions without code never load it.
const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
const SAVE_DELAY_MS = 2000;
const MAX_RETRY_MS = 30000;
const RESYNC_MS = 60000;
// The response's Content-Security-Policy nonce, given to this script's tag: the code editor inserts a
// style element, and the policy allows no other inline style.
const STYLE_NONCE = document.querySelector("script[nonce]")?.nonce ?? "";

const root = document.getElementById("session");
if (root) start(root);

function start(root) {
  const api = root.dataset.api;
  const csrf = root.dataset.csrf;
  const resultsUrl = root.dataset.resultsUrl;
  // server_time was rendered just before the page's response began, so count from then (in the same
  // monotonic time base), not from when this script ran: the editor bundle can take seconds to arrive.
  const navigation = performance.getEntriesByType("navigation")[0];
  const clock = {
    serverAtSync: Date.parse(root.dataset.serverTime),
    perfAtSync: navigation?.responseStart || performance.now(),
  };
  const deadline = root.dataset.deadline ? Date.parse(root.dataset.deadline) : null;
  let closed = root.dataset.status !== "in_progress";
  let submitting = false;
  const answers = [...root.querySelectorAll("[data-answer]")].map((el) => setUpAnswer(el));

  const serverNow = () => clock.serverAtSync + (performance.now() - clock.perfAtSync);

  async function sync() {
    const sentAt = performance.now();
    try {
      const response = await fetch(api, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) return;
      const session = await response.json();
      const receivedAt = performance.now();
      clock.serverAtSync = Date.parse(session.server_time) + (receivedAt - sentAt) / 2;
      clock.perfAtSync = receivedAt;
      if (session.status !== "in_progress") finish("This session has been submitted.");
    } catch {
      /* offline: keep counting from the last sync */
    }
  }

  // --- countdown ---
  const timer = root.querySelector("[data-timer]");
  if (deadline && timer) {
    const tick = () => {
      const left = Math.max(0, deadline - serverNow());
      const seconds = Math.ceil(left / 1000);
      const mm = String(Math.floor(seconds / 60)).padStart(2, "0");
      const ss = String(seconds % 60).padStart(2, "0");
      timer.textContent = `${mm}:${ss}`;
      timer.classList.toggle("text-danger", seconds <= 60);
      if (left <= 0 && !closed) submit({ auto: true });
    };
    tick();
    setInterval(tick, 250);
    setInterval(sync, RESYNC_MS);
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden) sync().then(tick);
    });
  }

  // --- navigation: one question at a time, all kept in the page so nothing is lost ---
  const panels = [...root.querySelectorAll("[data-question-panel]")];
  const links = [...root.querySelectorAll("[data-question-link]")];
  function show(position) {
    panels.forEach((p) => (p.hidden = p.dataset.questionPanel !== String(position)));
    links.forEach((l) => l.classList.toggle("active", l.dataset.questionLink === String(position)));
    const current = panels.find((p) => !p.hidden);
    current?.querySelector(".cm-content, textarea, input")?.focus({ preventScroll: true });
  }
  links.forEach((l) =>
    l.addEventListener("click", (event) => {
      event.preventDefault();
      show(l.dataset.questionLink);
      history.replaceState(null, "", `#q${l.dataset.questionLink}`);
    }),
  );
  root.querySelectorAll("[data-goto]").forEach((b) => b.addEventListener("click", () => show(b.dataset.goto)));
  if (panels.length) show((location.hash.match(/^#q(\d+)$/) || [])[1] || panels[0].dataset.questionPanel);

  // --- submit ---
  const submitButton = root.querySelector("[data-submit]");
  submitButton?.addEventListener("click", () => {
    const unsaved = answers.filter((a) => a.dirty()).length;
    const note = unsaved ? `\n\n${unsaved} answer(s) are still being saved; they will be saved first.` : "";
    if (window.confirm(`Submit your answers? You cannot change them afterwards.${note}`)) submit({ auto: false });
  });

  async function submit({ auto }) {
    if (submitting) return;
    submitting = true;
    setBanner(auto ? "Time is up — submitting your answers…" : "Submitting…", "info");
    await Promise.all(answers.map((a) => a.flush()));
    // Retried like a save: on no connection, a 5xx or a 429. Any other refusal (signed out, say) is
    // final and shown, never retried for good behind a "retrying" banner.
    for (let delay = 1000; ; delay = Math.min(delay * 2, MAX_RETRY_MS)) {
      let response = null;
      try {
        response = await request("POST", `${api}submit/`, {});
      } catch {
        /* no connection: retry below */
      }
      if (response?.ok) break;
      if (response && response.status < 500 && response.status !== 429) {
        const data = await response.json().catch(() => ({}));
        submitting = false;
        setBanner(`Not submitted: ${escapeHtml(data.detail || `the server answered ${response.status}`)}`, "danger");
        return;
      }
      setBanner("Could not reach the server to submit — retrying. Your saved answers are safe.", "warning");
      await sleep(delay);
    }
    closed = true;
    window.location.assign(resultsUrl);
  }

  function finish(message) {
    if (closed) return;
    closed = true;
    answers.forEach((a) => a.disable());
    setBanner(`${message} <a href="${resultsUrl}">See your results</a>.`, "info");
  }

  function setBanner(html, kind) {
    const banner = root.querySelector("[data-banner]");
    banner.className = `alert alert-${kind}`;
    banner.innerHTML = html;
    banner.hidden = false;
  }

  function request(method, url, body) {
    return fetch(url, {
      method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body),
    });
  }

  // --- one answer ---
  function setUpAnswer(el) {
    const position = el.dataset.position;
    const kind = el.dataset.kind;
    const status = el.querySelector("[data-save-status]");
    const conflict = el.querySelector("[data-conflict]");
    let version = Number(el.dataset.version);
    let savedValue = null;
    let timer = null;
    let inFlight = null;
    let retryDelay = 1000;
    let editor = null;
    let lockEditor = () => {};

    const textarea = el.querySelector("textarea[data-field]");
    if (textarea) {
      textarea.addEventListener("input", changed);
      textarea.addEventListener("blur", saveNow);
    }
    if (kind === "code") {
      import("./editor.js")
        .then(({ codeEditor, setReadOnly }) => {
          const hadFocus = document.activeElement === textarea;
          editor = codeEditor({
            parent: el.querySelector("[data-editor]"),
            doc: textarea.value,
            language: el.dataset.language,
            readOnly: textarea.readOnly, // the session may have closed while the editor was on its way
            onChange: changed,
            onBlur: saveNow,
            nonce: STYLE_NONCE,
          });
          lockEditor = () => setReadOnly(editor, true);
          textarea.hidden = true;
          if (hadFocus) editor.focus();
        })
        .catch(() => {}); // no editor (a failed download): the textarea goes on working
    }
    const boxes = [...el.querySelectorAll("input[data-choice]")];
    boxes.forEach((box) => box.addEventListener("change", () => saveNow()));

    const value = () => {
      if (kind === "multiple_choice") return boxes.filter((b) => b.checked).map((b) => Number(b.value));
      return editor ? editor.state.doc.toString() : textarea.value;
    };
    const setValue = (answer) => {
      if (kind === "multiple_choice") boxes.forEach((b) => (b.checked = answer.choice_ids.includes(Number(b.value))));
      else if (editor) editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: answer.content } });
      else textarea.value = answer.content;
    };
    const key = (v) => JSON.stringify(v);
    savedValue = key(value());
    const dirty = () => key(value()) !== savedValue;

    function showStatus(text, kind) {
      status.textContent = text;
      status.className = `small text-${kind}`;
    }

    function changed() {
      if (closed) return;
      showStatus("Not saved yet", "secondary");
      clearTimeout(timer);
      timer = setTimeout(saveNow, SAVE_DELAY_MS);
    }

    function saveNow() {
      clearTimeout(timer);
      if (closed || !dirty()) return inFlight || Promise.resolve();
      if (inFlight) return inFlight.then(saveNow);
      inFlight = save().finally(() => (inFlight = null));
      return inFlight;
    }

    async function save() {
      const current = value();
      const body = kind === "multiple_choice" ? { choice_ids: current, version } : { content: current, version };
      showStatus("Saving…", "secondary");
      let response;
      try {
        response = await request("PUT", `${api}items/${position}/answer/`, body);
      } catch {
        return retry("Not saved — no connection. Retrying…");
      }
      if (response.status >= 500 || response.status === 429) return retry("Not saved — server busy. Retrying…");
      const data = await response.json().catch(() => ({}));
      if (response.ok) {
        retryDelay = 1000;
        version = data.version;
        savedValue = key(current);
        showStatus(`Saved ${new Date().toLocaleTimeString()}`, "success");
        if (dirty()) changed();
        return;
      }
      if (data.code === "stale_version") return showConflict(data.answer, current);
      if (data.code === "session_closed") {
        showStatus("Not saved — the session is closed", "danger");
        return finish(data.detail || "This session no longer accepts answers.");
      }
      showStatus(`Not saved — ${data.detail || "the answer was refused"}`, "danger");
    }

    function retry(message) {
      showStatus(message, "warning");
      return sleep(retryDelay).then(() => {
        retryDelay = Math.min(retryDelay * 2, MAX_RETRY_MS);
        return save();
      });
    }

    function showConflict(stored, mine) {
      version = stored.version;
      setValue(stored);
      savedValue = key(value());
      showStatus("Not saved — changed in another tab", "danger");
      conflict.hidden = false;
      const yours = conflict.querySelector("[data-yours]");
      yours.textContent = Array.isArray(mine) ? `Choices: ${mine.join(", ") || "none"}` : mine;
    }

    conflict?.querySelector("[data-dismiss]")?.addEventListener("click", () => (conflict.hidden = true));

    // Written answers: a preview rendered and sanitised by the server, exactly as coaches will see it.
    const previewButton = el.querySelector("[data-preview]");
    previewButton?.addEventListener("click", async () => {
      const target = el.querySelector("[data-preview-output]");
      if (!target.hidden) {
        target.hidden = true;
        previewButton.textContent = "Preview";
        return;
      }
      const response = await request("POST", root.dataset.previewUrl, { text: value() }).catch(() => null);
      target.innerHTML = response?.ok ? (await response.json()).html : "<em>Preview unavailable offline.</em>";
      target.hidden = false;
      previewButton.textContent = "Edit";
    });

    return {
      dirty,
      flush: saveNow,
      disable() {
        clearTimeout(timer);
        if (textarea) textarea.readOnly = true;
        boxes.forEach((b) => (b.disabled = true));
        lockEditor();
      },
    };
  }

  window.addEventListener("beforeunload", (event) => {
    if (!closed && answers.some((a) => a.dirty())) event.preventDefault();
  });
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
