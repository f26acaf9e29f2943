/*
 * Doorstep "Get it by …" widget for product pages. Self-hosted, no dependencies, no cookies.
 *
 *   <div data-doorstep-edd data-merchant="your-shop" data-country="KR"
 *        data-postal-code="04524" data-sku="SKU-1" data-lang="ko"></div>
 *   <script src="https://doorstep.example.com/static/doorstep/edd-widget.js" defer></script>
 *
 * Without data-postal-code the widget shows a small postal-code field. Text is inserted with
 * textContent only, never as HTML. See docs/edd-widget.md.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var apiBase = script && script.src ? new URL("/api/v1/edd/", script.src).href : "/api/v1/edd/";
  var STORAGE_KEY = "doorstep-edd-postal";

  function text(el, value) {
    el.textContent = value;
  }

  function fetchPromise(el, postal) {
    var d = el.dataset;
    var params = new URLSearchParams({
      merchant: d.merchant || "",
      country: d.country || "",
      postal_code: postal
    });
    if (d.sku) params.set("sku", d.sku);
    if (d.lang) params.set("lang", d.lang);
    var out = el.querySelector(".doorstep-edd-message") || el;
    return fetch(apiBase + "?" + params.toString(), { credentials: "omit" })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (result) {
        if (!result.ok) {
          text(out, "");
          el.hidden = !el.querySelector("form");
          return;
        }
        text(out, result.body.message);
        out.title = result.body.window_message;
        el.setAttribute("data-confidence", String(result.body.confidence));
        el.hidden = false;
      })
      .catch(function () { text(out, ""); });
  }

  function withForm(el) {
    var form = document.createElement("form");
    var label = document.createElement("label");
    var input = document.createElement("input");
    var button = document.createElement("button");
    var message = document.createElement("p");
    var isKo = (el.dataset.lang || document.documentElement.lang || "").indexOf("ko") === 0;
    label.textContent = isKo ? "우편번호" : "Postal code";
    input.name = "postal_code";
    input.autocomplete = "postal-code";
    input.inputMode = "numeric";
    input.maxLength = 10;
    input.required = true;
    label.appendChild(input);
    button.type = "submit";
    button.textContent = isKo ? "배송일 확인" : "Check delivery date";
    message.className = "doorstep-edd-message";
    message.setAttribute("aria-live", "polite");
    form.appendChild(label);
    form.appendChild(button);
    el.appendChild(form);
    el.appendChild(message);
    var saved = window.localStorage ? localStorage.getItem(STORAGE_KEY) : null;
    if (saved) {
      input.value = saved;
      fetchPromise(el, saved);
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var value = input.value.trim();
      if (!value) return;
      try { localStorage.setItem(STORAGE_KEY, value); } catch (e) { /* private mode */ }
      fetchPromise(el, value);
    });
  }

  function init() {
    var nodes = document.querySelectorAll("[data-doorstep-edd]");
    Array.prototype.forEach.call(nodes, function (el) {
      if (el.dataset.postalCode) fetchPromise(el, el.dataset.postalCode);
      else withForm(el);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
