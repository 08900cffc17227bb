/* The intake desk's live suggestions (受理登记): as the content, address,
   phone, case type or directory item change, ask the JSON endpoint (debounced)
   and show directory items and units, the duty boundary, similar recent cases
   and reply templates. Vanilla JS, no framework. */
(function () {
  "use strict";
  var root = document.querySelector(".ms-intake");
  if (!root) { return; }
  var form = root.closest("form");
  var url = root.getAttribute("data-suggest-url");
  var labels = JSON.parse(document.getElementById("ms-intake-labels").textContent);
  var status = root.querySelector("[data-ms-status]");
  var field = function (name) { return form.querySelector("[name='" + name + "']"); };
  var list = function (name) { return root.querySelector("[data-ms-list='" + name + "']"); };
  var timer = null;
  var serial = 0;

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text) { node.textContent = text; }
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  function button(text, onClick, attrs) {
    var b = el("button", text, Object.assign({ type: "button", "class": "button button-small button-secondary" }, attrs || {}));
    b.addEventListener("click", onClick);
    return b;
  }

  function fill(name, rows, render) {
    var ul = list(name);
    ul.innerHTML = "";
    if (!rows.length) { ul.appendChild(el("li", labels.none, { "class": "help-block" })); return; }
    rows.forEach(function (row) { ul.appendChild(render(row)); });
  }

  function pickItem(id) {
    var select = field("directory_item");
    if (select) {
      select.value = String(id);
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }

  function render(data) {
    fill("suggestions", data.suggestions, function (s) {
      var li = el("li", s.item.path + " → " + (s.unit ? s.unit.name : labels.noUnit) + " (" + Math.round(s.score * 100) + "%) ",
        { "data-item": s.item.id });
      li.appendChild(button(labels.use, function () { pickItem(s.item.id); }, { "data-use-item": s.item.id }));
      if (s.leader || s.handler) {
        li.appendChild(el("div", labels.leader + ": " + (s.leader ? s.leader.name : "—") + " · " +
          labels.handler + ": " + (s.handler ? s.handler.name : "—"), { "class": "help-block", "data-people": s.item.id }));
      }
      li.appendChild(el("div", s.reason, { "class": "help-block" }));
      return li;
    });
    fill("boundaries", data.boundaries, function (b) {
      var units = labels.lead + ": " + (b.lead_unit ? b.lead_unit.name : "—");
      if (b.co_units.length) { units += "；" + labels.co + ": " + b.co_units.map(function (u) { return u.name; }).join("、"); }
      var li = el("li", b.matter + " — " + units);
      if (b.legal_basis) { li.appendChild(el("div", b.legal_basis, { "class": "help-block" })); }
      return li;
    });
    fill("similar", data.similar, function (c) {
      var li = el("li", null, { "data-similar": c.number });
      var a = el("a", c.number + " " + c.title, { href: c.url, target: "_blank", rel: "noopener", title: labels.open });
      li.appendChild(a);
      li.appendChild(el("div", c.state + " · " + c.received_at + " · " + c.reason, { "class": "help-block" }));
      return li;
    });
    fill("templates", data.templates, function (t) {
      var li = el("li", t.title + " ", { "data-template": t.id });
      li.appendChild(button(labels.useTemplate, function () {
        field("answer").value = t.body;
        field("template").value = String(t.id);
      }, { "data-use-template": t.id }));
      if (t.policy_basis) { li.appendChild(el("div", t.policy_basis, { "class": "help-block" })); }
      return li;
    });
  }

  function ask() {
    var content = field("content").value;
    var params = new URLSearchParams({
      content: content,
      address: field("address").value,
      phone: field("citizen_phone").value,
      case_type: field("case_type").value,
      directory_item: field("directory_item").value,
      region: field("region") ? field("region").value : ""
    });
    var mine = ++serial;
    status.textContent = labels.loading;
    fetch(url + "?" + params.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        if (mine !== serial) { return; }
        status.textContent = "";
        render(data);
      })
      .catch(function () { if (mine === serial) { status.textContent = labels.failed; } });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 400);
  }

  ["content", "address", "citizen_phone"].forEach(function (name) { field(name).addEventListener("input", later); });
  ["case_type", "directory_item", "region"].forEach(function (name) {
    if (field(name)) { field(name).addEventListener("change", later); }
  });
  if (field("content").value) { later(); }
}());
