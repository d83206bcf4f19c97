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
})();
