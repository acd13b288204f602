/*
 * The leg-cramp assistant's chat widget: rasa-webchat (npm, served from local files) plus what it lacks.
 * Embed with one tag (see README):
 *   <script src="https://YOUR-HOST/legcramps-chat.js" data-socket-url="https://YOUR-RASA-HOST"></script>
 * Loads ./vendor/rasa-webchat.js and ./legcramps-chat.css from beside this file, then opens a chat bubble.
 * Added to rasa-webchat: the disclaimer in the header, labels for screen readers, reply buttons that work
 * with the keyboard (rasa-webchat renders them as plain <div>s), visible focus, no javascript: links, and a
 * button that downloads the doctor-visit notes as a text file (the bot sends them as a custom payload
 * {"custom": {"summary_text", "filename"}}, which rasa-webchat itself ignores).
 * The Rasa server sends buttons as rasa-webchat's `buttons`, which stay under their message (channels/socketio.py):
 * here they are hidden once the user has replied after them, so only the latest turn's buttons can be pressed.
 * An answer's source line and the disclaimer are marked (lc-source, lc-disclaimer) to be shown as small lines.
 * Options (window.LEGCRAMPS_CHAT or data-* attributes of this script): socketUrl, messageDelay (ms before each
 * bot message is shown; rasa-webchat's own pause grows with the message's length).
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var base = script.src.replace(/[^/]*$/, "");
  var config = window.LEGCRAMPS_CHAT || {};
  var socketUrl = script.getAttribute("data-socket-url") || config.socketUrl || "http://localhost:5005";

  var DISCLAIMER = "General health information, not a substitute for professional medical advice.";
  var DISCLAIMER_PHRASE = "not a substitute for professional medical advice";
  var delayOption = script.getAttribute("data-message-delay");
  var messageDelay = delayOption !== null ? Number(delayOption) : config.messageDelay;

  function label(selector, text) {
    document.querySelectorAll(selector).forEach(function (el) {
      if (el.getAttribute("aria-label") !== text) el.setAttribute("aria-label", text);
    });
  }

  function enhance() {
    document.querySelectorAll(".rw-launcher").forEach(function (el) {
      var open = !!document.querySelector(".rw-conversation-container");
      el.setAttribute("aria-label", open ? "Close the leg cramp chat" : "Open the leg cramp chat");
      el.setAttribute("aria-expanded", open ? "true" : "false");
    });
    label(".rw-new-message", "Your message");
    label(".rw-send", "Send");
    label(".rw-close-button", "Close the chat");
    document.querySelectorAll(".rw-messages-container").forEach(function (el) {
      el.setAttribute("role", "log");
      el.setAttribute("aria-live", "polite");
      el.setAttribute("aria-label", "Conversation");
      if (el.getAttribute("tabindex") !== "0") el.setAttribute("tabindex", "0"); // scrollable with the keyboard
    });
    document.querySelectorAll(".rw-reply:not(a)").forEach(function (el) {
      if (el.getAttribute("role") === "button") return;
      el.setAttribute("role", "button");
      el.setAttribute("tabindex", "0");
      el.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          el.click();
        }
      });
    });
    document.querySelectorAll(".rw-conversation-container a[href]").forEach(function (el) {
      if (/^\s*(javascript|data|vbscript):/i.test(el.getAttribute("href"))) {
        el.removeAttribute("href");
      } else if (el.target === "_blank" && !el.hasAttribute("aria-label")) {
        el.setAttribute("aria-label", el.textContent + " (opens in a new tab)");
      }
    });
    markMessages();
    groupReplies();
  }

  // The source line and the disclaimer, each its own message, shown as small lines (legcramps-chat.css).
  function markMessages() {
    document.querySelectorAll(".rw-from-response .rw-message").forEach(function (el) {
      var text = (el.textContent || "").trim();
      var source = text.indexOf("Source: ") === 0;
      var disclaimer = !source && text.indexOf(DISCLAIMER_PHRASE) !== -1 && text.length < 300;
      if (el.classList.contains("lc-source") !== source) el.classList.toggle("lc-source", source);
      if (el.classList.contains("lc-disclaimer") !== disclaimer) el.classList.toggle("lc-disclaimer", disclaimer);
    });
  }

  // Each message's buttons: a named group while they can be pressed; hidden once the user has replied after them.
  function groupReplies() {
    var client = document.querySelectorAll(".rw-from-client");
    var lastReply = client.length ? client[client.length - 1] : null;
    document.querySelectorAll(".rw-conversation-container .rw-replies").forEach(function (el) {
      var answered = !!lastReply && !!(el.compareDocumentPosition(lastReply) & Node.DOCUMENT_POSITION_FOLLOWING);
      if (el.classList.contains("lc-answered") !== answered) el.classList.toggle("lc-answered", answered);
      if (el.getAttribute("role") !== "group") el.setAttribute("role", "group");
      var question = el.parentElement && el.parentElement.querySelector(".rw-message-text");
      var name = "Reply: " + (question ? question.textContent.trim() : "choices");
      if (el.getAttribute("aria-label") !== name) el.setAttribute("aria-label", name);
    });
  }

  var NOTES_KEY = "legcramps_doctor_notes";

  function download(notes) {
    var url = URL.createObjectURL(new Blob([notes.text], { type: "text/plain;charset=utf-8" }));
    var link = document.createElement("a");
    link.href = url;
    link.download = notes.filename;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }

  // One "Download" button under the conversation, for the latest notes; kept across a reload like the history.
  function showDownload() {
    var notes = JSON.parse(localStorage.getItem(NOTES_KEY) || "null");
    var messages = document.querySelector(".rw-messages-container");
    if (!notes || !messages) return;
    var button = document.querySelector(".lc-download");
    if (!button) {
      button = document.createElement("button");
      button.type = "button";
      button.className = "lc-download";
      button.textContent = "Download your notes for the doctor (.txt)";
      button.addEventListener("click", function () {
        download(JSON.parse(localStorage.getItem(NOTES_KEY)));
      });
    }
    if (button.previousElementSibling !== messages) messages.insertAdjacentElement("afterend", button);
  }

  function onBotMessage(message) {
    var custom = message && message.custom;
    if (!custom || typeof custom.summary_text !== "string") return;
    var filename = /^[\w.-]+\.txt$/.test(custom.filename || "") ? custom.filename : "doctor-notes.txt";
    localStorage.setItem(NOTES_KEY, JSON.stringify({ text: custom.summary_text, filename: filename }));
    showDownload();
  }

  function start() {
    window.WebChat.default(
      {
        socketUrl: socketUrl,
        socketPath: "/socket.io/",
        initPayload: "/greet",
        title: "Leg cramp information",
        subtitle: DISCLAIMER,
        inputTextFieldHint: "Ask about leg cramps",
        connectingText: "Connecting to the assistant",
        showMessageDate: false,
        customData: { language: "en" },
        params: { storage: "local" },
        onSocketEvent: { bot_uttered: onBotMessage },
        customMessageDelay: function (text) {
          if (typeof messageDelay === "number" && messageDelay >= 0) return messageDelay;
          return Math.min(Math.max(text.length * 30, 800), 3000); // rasa-webchat's own pause
        },
        // dark blue with white text: 10:1 contrast (rasa-webchat's default #135afe has 5.4:1)
        mainColor: "#0b3d91",
        userBackgroundColor: "#0b3d91",
        userTextColor: "#ffffff",
      },
      null
    );
    var update = function () {
      enhance();
      showDownload();
    };
    update();
    new MutationObserver(update).observe(document.body, { childList: true, subtree: true });
  }

  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = base + "legcramps-chat.css";
  document.head.appendChild(css);
  var widget = document.createElement("script");
  widget.src = base + "vendor/rasa-webchat.js";
  widget.onload = start;
  document.head.appendChild(widget);
})();
