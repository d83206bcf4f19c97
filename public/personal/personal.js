// Mi Correo Institucional — small conveniences for the staff pages. Every page works without this file.
(function () {
  'use strict';
  // «Usar» buttons of a search copy the result into the form at once instead of a round trip to the server.
  document.addEventListener('click', function (ev) {
    var button = ev.target instanceof Element ? ev.target.closest('button[data-llenar]') : null;
    if (!button || !button.form) return;
    var values;
    try {
      values = JSON.parse(button.getAttribute('data-llenar') || '{}');
    } catch (e) {
      return;
    }
    ev.preventDefault();
    var first = null;
    Object.keys(values).forEach(function (name) {
      var field = button.form.elements.namedItem(name);
      if (field && 'value' in field) {
        field.value = values[name];
        field.classList.add('llenado');
        first = first || field;
      }
    });
    if (first) first.focus();
  });
  // Forms that end or undo something ask once more.
  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (!(form instanceof HTMLFormElement)) return;
    var submitter = ev.submitter;
    if (submitter && (submitter.name === '_buscar' || submitter.name === '_usar')) return;
    var question = form.getAttribute('data-confirmar');
    if (question && !window.confirm(question)) ev.preventDefault();
  });
  // The diagram opens on the current step: a drawing wider than a phone would otherwise start at its empty left edge.
  document.querySelectorAll('.svg-caja[data-foco-x]').forEach(function (box) {
    var img = box.querySelector('img');
    if (!img) return;
    var centre = function () {
      var x = parseFloat(box.getAttribute('data-foco-x') || '0') * img.offsetWidth - box.clientWidth / 2;
      var y = parseFloat(box.getAttribute('data-foco-y') || '0') * img.offsetHeight - box.clientHeight / 2;
      box.scrollLeft = Math.max(0, x);
      box.scrollTop = Math.max(0, y);
    };
    if (img.complete) centre();
    else img.addEventListener('load', centre);
  });
  // A filter select applies itself.
  document.querySelectorAll('details.filtros select').forEach(function (s) {
    s.addEventListener('change', function () {
      if (s.name === 'procedimiento' && s.form) {
        var paso = s.form.elements.namedItem('paso');
        if (paso) paso.value = '';
      }
      if (s.form) s.form.requestSubmit();
    });
  });
  // An account name being typed says whether it is free (the server checks it again when the form is sent).
  document.querySelectorAll('input[data-disponibilidad]').forEach(function (input) {
    var out = document.getElementById(input.id + '-disponible');
    if (!out || !window.fetch) return;
    var timer = null;
    var asked = '';
    var check = function () {
      var name = input.value.trim();
      if (name === asked) return;
      asked = name;
      // The old answer stays until the new one comes: clearing it now would move the button under a click (blur).
      if (!name) {
        out.textContent = '';
        out.className = 'disponibilidad';
        return;
      }
      fetch(input.getAttribute('data-disponibilidad') + '?nombre=' + encodeURIComponent(name), {
        credentials: 'same-origin',
        headers: { Accept: 'application/json' },
      })
        .then(function (res) {
          return res.json().then(function (body) {
            return { ok: res.ok, body: body };
          });
        })
        .then(function (r) {
          // An answer about a name no longer in the field says nothing.
          if (input.value.trim() !== name || !r.body || typeof r.body.mensaje !== 'string') return;
          out.textContent = r.body.mensaje;
          out.className = 'disponibilidad ' + (r.ok && r.body.disponible ? 'libre' : 'ocupado');
        })
        .catch(function () {
          asked = '';
        });
    };
    input.addEventListener('input', function () {
      if (timer) clearTimeout(timer);
      timer = setTimeout(check, 400);
    });
    input.addEventListener('blur', check);
    if (input.value.trim()) check();
  });
  // «Seleccionar todos»: checks or clears every checkbox of the form it names (rows point to it with form="…").
  document.querySelectorAll('input[data-seleccionar-todos]').forEach(function (all) {
    var formId = all.getAttribute('data-seleccionar-todos');
    var boxes = function () {
      return document.querySelectorAll('input[type="checkbox"][name="ids"][form="' + formId + '"]');
    };
    var holder = all.closest('.campo');
    if (holder) holder.hidden = false;
    all.addEventListener('change', function () {
      boxes().forEach(function (box) {
        box.checked = all.checked;
      });
    });
    document.addEventListener('change', function (ev) {
      if (ev.target === all || !(ev.target instanceof HTMLInputElement) || ev.target.getAttribute('form') !== formId) return;
      all.checked = Array.prototype.every.call(boxes(), function (box) {
        return box.checked;
      });
    });
  });
  // The annex of an oficio for many accounts: a table of schools (5.2.1) and one of Servicio accounts (5.3.1).
  // «Agregar …» adds a blank row, «Quitar» removes one; rows are numbered again so a line's number is what the server
  // will name in its errors. Only the table of the procedure chosen shows (the other's fields are disabled, so they
  // are not sent). Without this file both tables show, with blank rows, and the server reads the procedure's one.
  document.querySelectorAll('fieldset[data-lineas-max]').forEach(function (set) {
    var max = parseInt(set.getAttribute('data-lineas-max') || '500', 10);
    var tables = set.querySelectorAll('[data-lineas-de]');
    tables.forEach(function (holder) {
      var table = holder.querySelector('table');
      var body = table && table.tBodies[0];
      var add = holder.querySelector('button[data-agregar-linea]');
      if (!body || !add) return;
      var rowAttr = table.getAttribute('data-fila') || 'data-linea';
      var fields = function (tr) {
        return tr.querySelectorAll('input, select');
      };
      var renumber = function () {
        Array.prototype.forEach.call(body.rows, function (tr, i) {
          var n = String(i + 1);
          tr.setAttribute(rowAttr, n);
          tr.cells[0].textContent = n;
          fields(tr).forEach(function (field) {
            field.id = field.id.replace(/\d+(?=-)/, n);
            var label = field.previousElementSibling;
            if (label && label.tagName === 'LABEL') {
              label.htmlFor = field.id;
              label.textContent = label.textContent.replace(/\d+$/, n);
            }
          });
        });
        add.disabled = body.rows.length >= max;
      };
      var clear = function (tr) {
        fields(tr).forEach(function (field) {
          if (field.tagName === 'SELECT') field.selectedIndex = 0;
          else field.value = '';
        });
      };
      var show = function (tr) {
        var b = tr.querySelector('button[data-quitar-linea]');
        if (b) b.hidden = false;
      };
      Array.prototype.forEach.call(body.rows, show);
      add.hidden = false;
      add.addEventListener('click', function () {
        var template = body.rows[body.rows.length - 1];
        if (!template || body.rows.length >= max) return;
        var tr = template.cloneNode(true);
        tr.classList.remove('con-error');
        tr.querySelectorAll('.campo-error').forEach(function (p) {
          p.remove();
        });
        clear(tr);
        fields(tr).forEach(function (field) {
          field.removeAttribute('aria-invalid');
          field.removeAttribute('aria-describedby');
        });
        body.appendChild(tr);
        renumber();
        fields(tr)[0].focus();
      });
      body.addEventListener('click', function (ev) {
        var b = ev.target instanceof Element ? ev.target.closest('button[data-quitar-linea]') : null;
        if (!b) return;
        var tr = b.closest('tr');
        // The last row is emptied, not removed: it is where the next line is typed.
        if (body.rows.length === 1) clear(tr);
        else tr.remove();
        renumber();
      });
    });
    // The table follows «Qué solicita el oficio»: Servicio accounts for 5.3.1, schools for anything else.
    var procedure = document.getElementById('f-procedimiento');
    var follow = function () {
      var chosen = procedure && procedure.value === 'servicio-alta' ? 'servicio-alta' : 'centro-trabajo-alta';
      tables.forEach(function (holder) {
        var off = holder.getAttribute('data-lineas-de') !== chosen;
        holder.hidden = off;
        holder.querySelectorAll('input, select, button').forEach(function (field) {
          field.disabled = off;
        });
        if (!off) {
          var add = holder.querySelector('button[data-agregar-linea]');
          var body = holder.querySelector('tbody');
          if (add && body) add.disabled = body.rows.length >= max;
        }
      });
    };
    if (procedure) procedure.addEventListener('change', follow);
    follow();
  });
})();
