// Application forms drawn from the JSON Schema the procedure catalogue publishes (`form_schema`,
// draft 2020-12), never written by hand per procedure; and the picker that attaches documents
// from the citizen's store or a new upload.
//
// Every control is named by the path the API uses in its 422 field errors ("form.child_sex",
// "form.persons.0.full_name", "forms.khai-sinh.child_sex" for a group), so ui.showFieldErrors
// puts each message under its own field. The browser does not validate (the form is novalidate):
// the API's validator is the one that judges and its Vietnamese messages are the ones shown;
// the schema's rules are drawn as hints, input modes and bounds so mistakes are fewer.

import * as api from "../../shared/api.js";
import { h, chip, errorBox, formatDate } from "../../shared/ui.js";

const TIME_ZONE = "Asia/Ho_Chi_Minh";

/** The one type a field is drawn as: `["string", "null"]` is a string, an enum of numbers a number. */
function typeOf(schema) {
  const declared = Array.isArray(schema.type) ? schema.type.find((type) => type !== "null") : schema.type;
  if (declared) return declared;
  if (schema.properties) return "object";
  if (schema.items) return "array";
  if (Array.isArray(schema.enum) && schema.enum.length) {
    const first = schema.enum[0];
    return typeof first === "number" ? "number" : typeof first === "boolean" ? "boolean" : "string";
  }
  return "string";
}

/** [name, schema] of an object's fields in the order the form was written: the API writes JSON
 *  with sorted keys, so the catalogue gives that order as `x-order`. */
function fieldsOf(schema) {
  const properties = schema.properties || {};
  const order = Array.isArray(schema["x-order"]) ? schema["x-order"] : [];
  const names = [...order.filter((name) => name in properties), ...Object.keys(properties).filter((name) => !order.includes(name))];
  return names.map((name) => [name, properties[name]]);
}

function idFor(path) {
  return `f-${path.replace(/[^a-zA-Z0-9_-]/g, "-")}`;
}

function todayInVietnam() {
  // sv-SE writes dates as YYYY-MM-DD, the form of <input type="date">.
  return new Intl.DateTimeFormat("sv-SE", { timeZone: TIME_ZONE }).format(new Date());
}

function quoted(values) {
  return values.map((value) => `“${value === true ? "Có" : value === false ? "Không" : value}”`).join(" hoặc ");
}

function titleOf(schema, key) {
  return schema?.title || key;
}

/**
 * The rules that make a field needed only sometimes: `allOf` (or a lone `if`) of if/then on one
 * field's value ("delivery address when delivered by post"), and `dependentRequired` ("the
 * father's number once his name is given"). Drawn live: the field says it is needed, and why,
 * while the rule holds. Returns [{field, holds(value), why(value), targets: [{name, mustBeTrue}]}].
 */
function conditionalRules(schema) {
  const title = (name) => titleOf(schema.properties?.[name], name);
  const rules = [];
  for (const rule of [...(schema.allOf || []), ...(schema.if ? [{ if: schema.if, then: schema.then }] : [])]) {
    const conditions = Object.entries(rule.if?.properties || {});
    if (!rule.then || conditions.length !== 1) continue;
    const [field, condition] = conditions[0];
    const values = condition.enum || ("const" in condition ? [condition.const] : null);
    if (!values) continue;
    const mustBe = rule.then.properties || {};
    rules.push({
      field,
      holds: (value) => values.includes(value),
      why: (value) => `vì bạn chọn ${quoted([value])} ở mục “${title(field)}”`,
      targets: (rule.then.required || []).map((name) => ({ name, mustBeTrue: mustBe[name]?.const === true })),
    });
  }
  for (const [present, needed] of Object.entries(schema.dependentRequired || {})) {
    rules.push({
      field: present,
      holds: (value) => value !== undefined,
      why: () => `vì bạn đã điền “${title(present)}”`,
      targets: needed.map((name) => ({ name, mustBeTrue: false })),
    });
  }
  return rules;
}

/** `setCondition(rule, text)` of a field: the reasons it is needed now, and its required mark. */
function conditionHolder(whenNode, mark, control, alwaysRequired) {
  const reasons = new Map();
  return (rule, text) => {
    if (text) reasons.set(rule, text);
    else reasons.delete(rule);
    whenNode.textContent = [...reasons.values()].join(" ");
    if (alwaysRequired) return;
    mark.hidden = !reasons.size;
    if (!control) return;
    if (reasons.size) control.setAttribute("aria-required", "true");
    else control.removeAttribute("aria-required");
  };
}

function boundsHint(schema) {
  const low = schema.minimum ?? null;
  const high = schema.maximum ?? null;
  if (low !== null && high !== null) return `Từ ${low} đến ${high}.`;
  if (schema.exclusiveMinimum !== undefined && high === null) return `Lớn hơn ${schema.exclusiveMinimum}.`;
  if (low !== null && low > 0) return `Tối thiểu ${low}.`;
  if (high !== null) return `Tối đa ${high}.`;
  return null;
}

/** A labelled control the way the app draws fields, with its hints as its description.
 *  Returns {node, setCondition}. */
function fieldBox(path, label, control, { required = false, hints = [], inline = false } = {}) {
  control.id = idFor(path);
  const hintNodes = hints.filter(Boolean).map((text, index) => h("p", { class: "hint", id: `${control.id}-hint${index}` }, text));
  const when = h("p", { class: "hint hint-when", id: `${control.id}-when` });
  control.setAttribute("aria-describedby", [...hintNodes, when].map((node) => node.id).join(" "));
  if (required) control.setAttribute("aria-required", "true");
  const mark = h("span", { class: "required-mark", "aria-hidden": "true", hidden: !required }, " *");
  const labelNode = h("label", { for: control.id }, label, mark);
  const node = inline
    ? h("div", { class: "field field-check" }, h("div", { class: "check-line" }, control, labelNode), when, hintNodes)
    : h("div", { class: "field" }, labelNode, control, when, hintNodes);
  return { node, setCondition: conditionHolder(when, mark, control, required) };
}

function scalarEditor(schema, path, value, { required }) {
  const type = typeOf(schema);
  const label = schema.title || path.split(".").pop();
  const allHints = [schema.description];
  if (schema.examples?.length) allHints.push(`Ví dụ: ${schema.examples.join(", ")}.`);

  if (Array.isArray(schema.enum)) {
    const select = h(
      "select",
      { name: path },
      h("option", { value: "" }, "— Chọn —"),
      schema.enum.map((choice, index) => h("option", { value: String(index), selected: value === choice }, String(choice))),
    );
    return {
      ...fieldBox(path, label, select, { required, hints: allHints }),
      read: () => (select.value === "" ? undefined : schema.enum[Number(select.value)]),
      control: select,
    };
  }

  if (type === "boolean") {
    const box = h("input", { type: "checkbox", name: path, checked: value === true });
    // A box left empty is a "no": the API then says plainly when a "yes" is needed (consents).
    return { ...fieldBox(path, label, box, { hints: allHints, inline: true }), read: () => box.checked, control: box };
  }

  if (type === "integer" || type === "number") {
    // Text, not type=number: what the citizen typed reaches the API as typed when it is not a
    // number, so they read the API's own message instead of having the value silently dropped.
    const input = h("input", {
      type: "text",
      name: path,
      inputmode: type === "integer" ? "numeric" : "decimal",
      autocomplete: "off",
      value: value ?? "",
    });
    allHints.push(boundsHint(schema));
    return {
      ...fieldBox(path, label, input, { required, hints: allHints }),
      read: () => {
        const text = input.value.trim().replace(/\s/g, "");
        if (!text) return undefined;
        const number = Number(type === "number" ? text.replace(",", ".") : text);
        return Number.isFinite(number) && (type === "number" || Number.isInteger(number)) ? number : text;
      },
      control: input,
    };
  }

  let control;
  if (schema.format === "date") {
    control = h("input", { type: "date", name: path, value: value ?? "" });
    if (schema["x-not-future"]) control.max = todayInVietnam();
  } else if (schema.format === "email") {
    control = h("input", { type: "email", name: path, inputmode: "email", autocomplete: "email", value: value ?? "" });
  } else if ((schema.maxLength || 0) > 300) {
    control = h("textarea", { name: path, maxlength: schema.maxLength }, value ?? "");
  } else {
    control = h("input", { type: "text", name: path, value: value ?? "" });
    if (schema.maxLength) control.maxLength = schema.maxLength;
    // Digits only (số định danh, mã số BHXH, điện thoại): the phone offers its number pad.
    if (/^\^0?\\d\{\d+(,\d+)?\}\$$/.test(schema.pattern || "")) {
      control.inputMode = "numeric";
    }
  }
  control.autocomplete = control.autocomplete || "off";
  return {
    ...fieldBox(path, label, control, { required, hints: allHints }),
    read: () => {
      const text = control.value.trim();
      return text === "" ? undefined : text;
    },
    control,
  };
}

function objectEditor(schema, path, value, { root = false, item = null, decorate } = {}) {
  const required = new Set(schema.required || []);
  const children = fieldsOf(schema).map(([key, child]) => [key, editorFor(child, `${path}.${key}`, value?.[key], { required: required.has(key), decorate })]);
  const byName = Object.fromEntries(children);
  conditionalRules(schema).forEach((rule, index) => {
    const controller = byName[rule.field];
    if (!controller?.control) return;
    const update = () => {
      const answer = controller.read();
      const holds = rule.holds(answer);
      for (const target of rule.targets) {
        const text = holds ? `${target.mustBeTrue ? "Cần đánh dấu" : "Bắt buộc"} ${rule.why(answer)}.` : "";
        byName[target.name]?.setCondition?.(index, text);
      }
    };
    controller.control.addEventListener("change", update);
    controller.control.addEventListener("input", update);
    update();
  });
  const inner = children.map(([, editor]) => editor.node);
  let node;
  if (root) {
    node = h("div", { class: "schema-form", "data-field": path }, inner);
  } else {
    node = h(
      "fieldset",
      { class: "field schema-group", "data-field": path },
      h("legend", {}, item?.legend || schema.title || path.split(".").pop()),
      schema.description ? h("p", { class: "hint" }, schema.description) : null,
      inner,
      item?.remove || null,
    );
  }
  return {
    node,
    read: () => {
      const result = {};
      for (const [key, editor] of children) {
        const answer = editor.read();
        if (answer !== undefined) result[key] = answer;
      }
      // An empty nested object is left out, like an empty field; the form itself and list
      // items are always sent, so the API names each missing field inside them.
      return root || item || Object.keys(result).length ? result : undefined;
    },
  };
}

function arrayEditor(schema, path, value, { required, decorate }) {
  const items = schema.items || { type: "string" };
  const itemTitle = items.title || "Mục";
  const minItems = schema.minItems || 0;
  const maxItems = schema.maxItems ?? Infinity;
  const holder = h("div", { class: "schema-items" });
  const status = h("p", { class: "visually-hidden", role: "status" });
  const addButton = h("button", { type: "button", class: "button secondary" }, `Thêm ${itemTitle.toLowerCase()}`);
  let editors = [];

  const draw = (values) => {
    editors = values.map((itemValue, index) => {
      const itemPath = `${path}.${index}`;
      const legend = `${itemTitle} ${index + 1}`;
      const remove =
        values.length > minItems
          ? h("button", { type: "button", class: "button secondary small-button", onclick: () => removeAt(index) }, `Bỏ ${legend.toLowerCase()}`)
          : null;
      if (typeOf(items) === "object") return objectEditor(items, itemPath, itemValue, { item: { legend, remove }, decorate });
      const editor = scalarEditor({ ...items, title: legend }, itemPath, itemValue, { required: true });
      decorate?.(editor.control, items, itemPath);
      if (remove) editor.node.append(remove);
      return { ...editor, read: () => editor.read() ?? "" };
    });
    holder.replaceChildren(...editors.map((editor) => editor.node));
    addButton.disabled = values.length >= maxItems;
  };
  const current = () => editors.map((editor) => editor.read());
  const removeAt = (index) => {
    const values = current();
    values.splice(index, 1);
    draw(values);
    status.textContent = `Đã bỏ ${itemTitle.toLowerCase()} ${index + 1}.`;
    addButton.focus();
  };
  addButton.addEventListener("click", () => {
    const values = current();
    values.push(undefined);
    draw(values);
    status.textContent = `Đã thêm ${itemTitle.toLowerCase()} ${values.length}.`;
    holder.lastElementChild?.querySelector("input, select, textarea")?.focus();
  });

  const start = Array.isArray(value) && value.length ? value : Array.from({ length: minItems }, () => undefined);
  draw(start);
  const legendHints = [schema.description];
  if (maxItems !== Infinity) legendHints.push(minItems ? `Từ ${minItems} đến ${maxItems} mục.` : `Tối đa ${maxItems} mục.`);
  const mark = h("span", { class: "required-mark", "aria-hidden": "true", hidden: !required }, " *");
  const when = h("p", { class: "hint hint-when" });
  const node = h(
    "fieldset",
    { class: "field schema-list", "data-field": path },
    h("legend", {}, schema.title || path.split(".").pop(), mark),
    when,
    legendHints.filter(Boolean).map((text) => h("p", { class: "hint" }, text)),
    holder,
    addButton,
    status,
  );
  return {
    node,
    setCondition: conditionHolder(when, mark, null, required),
    read: () => {
      const values = current();
      return values.length || required ? values : undefined;
    },
  };
}

function editorFor(schema, path, value, options) {
  const type = typeOf(schema);
  if (type === "object") return objectEditor(schema, path, value, { decorate: options.decorate });
  if (type === "array") return arrayEditor(schema, path, value, options);
  const editor = scalarEditor(schema, path, value, options);
  // Once the control sits in its field, so a screen may add next to it.
  options.decorate?.(editor.control, schema, path);
  return editor;
}

/**
 * The editor of a whole form: `{node, read()}`. `path` is where the API reports its errors
 * ("form", or "forms.<procedure code>" in a group); `decorate(control, schema, path)` lets a
 * screen add to a control (a look-up list for ward codes, for example).
 */
export function schemaForm(schema, path = "form", { value, decorate } = {}) {
  const editor = objectEditor(schema, path, value, { root: true, decorate });
  const required = (schema.required || []).length;
  const intro = required ? h("p", { class: "hint" }, "Mục có dấu * là bắt buộc.") : null;
  return { node: h("div", {}, intro, editor.node), read: editor.read };
}

/** The answers of a submitted form as [label, text] pairs, labelled by the form's own schema. */
export function describeAnswers(schema, data, prefix = "") {
  const pairs = [];
  const show = (fieldSchema, value, label) => {
    const type = fieldSchema ? typeOf(fieldSchema) : typeof value;
    if (value === null || value === undefined || value === "") return;
    if (Array.isArray(value)) {
      value.forEach((item, index) => show(fieldSchema?.items, item, `${label} ${index + 1}`));
    } else if (typeof value === "object") {
      pairs.push(...describeAnswers(fieldSchema || {}, value, `${label} › `));
    } else if (type === "boolean" || typeof value === "boolean") {
      pairs.push([label, value ? "Có" : "Không"]);
    } else if (fieldSchema?.format === "date") {
      pairs.push([label, formatDate(value)]);
    } else {
      pairs.push([label, String(value)]);
    }
  };
  const properties = schema?.properties || {};
  const keys = [...fieldsOf(schema || {}).map(([key]) => key), ...Object.keys(data || {}).filter((key) => !(key in properties))];
  for (const key of keys) {
    if (!data || !(key in data)) continue;
    const fieldSchema = properties[key];
    const label = `${prefix}${fieldSchema?.title || key}`;
    if (Array.isArray(data[key]) && fieldSchema?.items && typeOf(fieldSchema.items) === "object") {
      data[key].forEach((item, index) => pairs.push(...describeAnswers(fieldSchema.items, item, `${label} ${index + 1} › `)));
    } else {
      show(fieldSchema, data[key], label);
    }
  }
  return pairs;
}

// ---- documents: from the store, or a new upload (camera on a phone) ----------------------------

/** Every document of the signed-in citizen's store, newest first. */
export async function loadStore(signal) {
  return api.get("/me/documents?page_size=100", { signal });
}

function documentLabel(document) {
  return `${document.title} (${document.filename}, ${formatDate(document.created_at)})`;
}

/**
 * One row per required paper (`requirements`: [{name, note, required}]): pick a document already
 * in the store or upload a new one, which goes to the store and is picked. `read()` gives the
 * API's `attachments` list and names each picker by the path the API reports errors under
 * (`attachments.<i>.document_id`).
 */
export function documentPicker(requirements, store, { idPrefix = "doc", marks = true } = {}) {
  const documents = [...store];
  const selects = [];
  const rows = requirements.map((requirement, index) => {
    const id = `${idPrefix}-${index}`;
    const select = h("select", { id: `${id}-pick`, dataset: { requirement: requirement.name } });
    selects.push(select);
    const file = h("input", {
      type: "file",
      id: `${id}-file`,
      accept: "image/*,application/pdf",
      capture: "environment",
    });
    const note = h("div", { class: "upload-note", role: "status" });
    file.addEventListener("change", async () => {
      const chosen = file.files?.[0];
      if (!chosen) return;
      note.replaceChildren(h("p", { class: "muted" }, `Đang tải lên “${chosen.name}”…`));
      const body = new FormData();
      body.append("file", chosen);
      body.append("title", requirement.name.slice(0, 200));
      try {
        const saved = await api.post("/me/documents", body);
        if (!documents.some((document) => document.id === saved.id)) {
          documents.unshift(saved);
          for (const other of selects) other.add(new Option(documentLabel(saved), saved.id), 1);
        }
        select.value = saved.id;
        note.replaceChildren(h("p", { class: "ok-note" }, `Đã lưu “${saved.title}” vào kho giấy tờ và đính kèm cho mục này.`));
      } catch (error) {
        note.replaceChildren(errorBox(error));
      } finally {
        file.value = "";
      }
    });
    select.append(new Option("— Chưa đính kèm —", ""), ...documents.map((document) => new Option(documentLabel(document), document.id)));
    return h(
      "fieldset",
      { class: "attachment" },
      h("legend", {}, requirement.name, marks ? [" ", requirement.required ? chip("Bắt buộc", "wait") : chip("Khi cần", "info")] : null),
      requirement.note ? h("p", { class: "hint" }, requirement.note) : null,
      h("div", { class: "field" }, h("label", { for: select.id }, "Chọn giấy tờ đã lưu"), select),
      h(
        "div",
        { class: "field" },
        h("label", { for: file.id }, "Hoặc tải lên, chụp ảnh giấy tờ mới"),
        file,
        h("p", { class: "hint" }, "Ảnh hoặc tệp PDF, tối đa 10 MB. Giấy tờ được lưu vào kho để dùng lại lần sau."),
        note,
      ),
    );
  });
  // Papers needed only in some cases fold away, so the ones everybody needs stand out.
  const needed = marks ? rows.filter((_, index) => requirements[index].required) : rows;
  const sometimes = marks ? rows.filter((_, index) => !requirements[index].required) : [];
  return {
    node: h(
      "div",
      { class: "attachments" },
      needed,
      sometimes.length
        ? h("details", { class: "optional-docs" }, h("summary", {}, `Giấy tờ chỉ cần trong một số trường hợp (${sometimes.length})`), sometimes)
        : null,
    ),
    read: () => {
      const attachments = [];
      for (const select of selects) {
        select.removeAttribute("data-field");
        if (!select.value) continue;
        select.dataset.field = `attachments.${attachments.length}.document_id`;
        attachments.push({ document_id: select.value, requirement: select.dataset.requirement });
      }
      return attachments;
    },
  };
}
