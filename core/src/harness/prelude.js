//! The polyrun JavaScript prelude: Node-like globals (console, process, require, timers, ...) built on the host object `__polyrun`.
//
// The same file runs in the QuickJS engine (polyrun-js.wasm) and in the browser's Web Worker,
// so it is plain ES2023 and uses nothing engine-specific: only `globalThis.__polyrun`, which
// the host defines before evaluating this file:
//
//   evalScript(source, filename)  evaluate another classic script, return its completion value
//   readStdin()                   all remaining standard input as a string ("" at the end)
//   readLine()                    the next line without its terminator, or null at the end
//   writeStdout(s), writeStderr(s)
//   now()                         monotonic milliseconds (float)
//   exit(code)                    flush and end the process
//   filename                      optional: the user's script name (process.argv[1])
//   promiseState(p)               optional: ["pending"] | ["fulfilled", v] | ["rejected", r],
//                                 undefined for a non-promise (lets console.log show promises)
//
// In return the prelude defines the non-writable `__polyrun.hooks`, which the host's event
// loop calls after evaluating the user's script:
//
//   loop {
//     do { hooks.runTicks(); run every queued promise job } while (either ran something)
//     for each promise rejected without a handler: hooks.uncaught(reason, true, promise)
//     if (!hooks.runMacrotask()) break        // one timer, or one stdin event
//   }
//   exit(hooks.exitCode())
//
// An exception thrown by the script, a job or a hook goes to hooks.uncaught(value, false):
// it prints the report Node would print and returns the status to exit with, or null when a
// process.on('uncaughtException' | 'unhandledRejection') listener handled it.

(function (host) {
  'use strict';

  // ---------------------------------------------------------------------------------------
  // Small helpers

  const ObjectProto = Object.prototype;
  const hasOwn = (obj, key) => ObjectProto.hasOwnProperty.call(obj, key);
  const isEnumerable = (obj, key) => ObjectProto.propertyIsEnumerable.call(obj, key);
  const objectToString = (value) => ObjectProto.toString.call(value);
  const scriptName = typeof host.filename === 'string' ? host.filename : 'main.js';

  /** Defines a global the way built-ins are: writable, configurable, not enumerable. */
  function defineGlobal(name, value) {
    Object.defineProperty(globalThis, name, {
      value,
      writable: true,
      enumerable: false,
      configurable: true,
    });
  }

  /** Defines non-enumerable properties on `target` (hidden from console.log). */
  function defineHidden(target, props) {
    for (const key of Reflect.ownKeys(props)) {
      Object.defineProperty(target, key, {
        value: props[key],
        writable: true,
        enumerable: false,
        configurable: true,
      });
    }
    return target;
  }

  /** An Error with a Node-style `code` property. */
  function codedError(Ctor, code, message) {
    const err = new Ctor(message);
    err.code = code;
    return err;
  }

  function invalidArgType(name, expected, actual) {
    const shown = actual === null || actual === undefined ? String(actual) : `type ${typeof actual}`;
    return codedError(
      TypeError,
      'ERR_INVALID_ARG_TYPE',
      `The "${name}" argument must be ${expected}. Received ${shown}`,
    );
  }

  function validateFunction(fn, name) {
    if (typeof fn !== 'function') throw invalidArgType(name, 'of type function', fn);
  }

  // Brand checks that do not depend on the prototype chain or Symbol.toStringTag.
  function tryCall(fn, value) {
    try {
      fn.call(value);
      return true;
    } catch {
      return false;
    }
  }
  const getter = (proto, key) => Object.getOwnPropertyDescriptor(proto, key).get;
  const mapSize = getter(Map.prototype, 'size');
  const setSize = getter(Set.prototype, 'size');
  const arrayBufferByteLength = getter(ArrayBuffer.prototype, 'byteLength');
  const dataViewByteLength = getter(DataView.prototype, 'byteLength');
  const typedArrayTag = getter(Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag);
  const isMap = (v) => tryCall(mapSize, v);
  const isSet = (v) => tryCall(setSize, v);
  const isDate = (v) => tryCall(Date.prototype.getTime, v);
  const isRegExp = (v) => tryCall(RegExp.prototype.exec, v) && v !== RegExp.prototype;
  const isWeakMap = (v) => tryCall(WeakMap.prototype.has, v);
  const isWeakSet = (v) => tryCall(WeakSet.prototype.has, v);
  const isArrayBuffer = (v) => tryCall(arrayBufferByteLength, v);
  const isDataView = (v) => tryCall(dataViewByteLength, v);
  const isTypedArray = (v) => typedArrayTag.call(v) !== undefined;
  const isError = (v) => v instanceof Error || objectToString(v) === '[object Error]';
  const isPromise = (v) =>
    typeof host.promiseState === 'function'
      ? host.promiseState(v) !== undefined
      : v instanceof Promise;

  /** `[Number: 3]`-style name of a boxed primitive, or '' when `v` is not one. */
  function boxedType(v) {
    if (tryCall(Number.prototype.valueOf, v)) return 'Number';
    if (tryCall(String.prototype.valueOf, v)) return 'String';
    if (tryCall(Boolean.prototype.valueOf, v)) return 'Boolean';
    if (typeof BigInt === 'function' && tryCall(BigInt.prototype.valueOf, v)) return 'BigInt';
    if (tryCall(Symbol.prototype.valueOf, v)) return 'Symbol';
    return '';
  }

  // ---------------------------------------------------------------------------------------
  // util.inspect: a port of the common paths of Node's lib/internal/util/inspect.js

  const customInspect = Symbol.for('nodejs.util.inspect.custom');
  const kObjectType = 0;
  const kArrayType = 1;
  const kArrayExtrasType = 2;
  const kMinLineLength = 16;
  const keyStrRegExp = /^[a-zA-Z_][a-zA-Z_0-9]*$/;
  const escapeTestAll = /[\x00-\x1f\x27\x5c\x7f-\x9f]/;
  const escapeReplaceAll = /[\x00-\x1f\x27\x5c\x7f-\x9f]/g;
  const escapeTestNoQuote = /[\x00-\x1f\x5c\x7f-\x9f]/;
  const escapeReplaceNoQuote = /[\x00-\x1f\x5c\x7f-\x9f]/g;
  const meta = [];
  for (let i = 0; i < 0xa0; i++) {
    meta.push(i < 0x20 || i >= 0x7f ? `\\x${i.toString(16).toUpperCase().padStart(2, '0')}` : '');
  }
  meta[8] = '\\b';
  meta[9] = '\\t';
  meta[10] = '\\n';
  meta[12] = '\\f';
  meta[13] = '\\r';
  meta[39] = "\\'";
  meta[92] = '\\\\';

  const inspectDefaults = {
    depth: 2,
    breakLength: 80,
    compact: 3,
    maxArrayLength: 100,
    maxStringLength: 10000,
    customInspect: true,
    sorted: false,
  };

  function makeContext(options) {
    const ctx = {
      ...inspectDefaults,
      seen: [],
      circular: undefined,
      indentationLvl: 0,
      currentDepth: 0,
      bareErrors: false,
    };
    if (options) {
      for (const key of Object.keys(options)) {
        if (key in inspectDefaults || key === 'bareErrors') ctx[key] = options[key];
      }
      if (ctx.depth === null) ctx.depth = Infinity;
      if (ctx.maxArrayLength === null) ctx.maxArrayLength = Infinity;
      if (ctx.maxStringLength === null) ctx.maxStringLength = Infinity;
    }
    return ctx;
  }
  const primitiveContext = makeContext();

  function inspect(value, options) {
    if (typeof options !== 'object' || options === null) options = undefined;
    if (options === undefined && typeof value !== 'object' && typeof value !== 'function') {
      return formatPrimitive(primitiveContext, value);
    }
    return formatValue(makeContext(options), value, 0);
  }
  inspect.custom = customInspect;
  inspect.defaultOptions = inspectDefaults;

  function addQuotes(str, quote) {
    return `${quote}${str}${quote}`;
  }

  function strEscape(str) {
    let escapeTest = escapeTestAll;
    let escapeReplace = escapeReplaceAll;
    let quote = "'";
    if (str.includes("'")) {
      if (!str.includes('"')) quote = '"';
      else if (!str.includes('`') && !str.includes('${')) quote = '`';
      if (quote !== "'") {
        escapeTest = escapeTestNoQuote;
        escapeReplace = escapeReplaceNoQuote;
      }
    }
    if (!escapeTest.test(str)) return addQuotes(str, quote);
    return addQuotes(
      str.replace(escapeReplace, (c) => meta[c.charCodeAt(0)]),
      quote,
    );
  }

  function formatNumber(n) {
    return Object.is(n, -0) ? '-0' : `${n}`;
  }

  function formatPrimitive(ctx, value) {
    switch (typeof value) {
      case 'string': {
        let trailer = '';
        if (value.length > ctx.maxStringLength) {
          const remaining = value.length - ctx.maxStringLength;
          value = value.slice(0, ctx.maxStringLength);
          trailer = `... ${remaining} more character${remaining > 1 ? 's' : ''}`;
        }
        if (
          value.length > kMinLineLength &&
          value.length > ctx.breakLength - ctx.indentationLvl - 4 &&
          value.includes('\n')
        ) {
          return (
            value
              .split(/(?<=\n)/)
              .map((line) => strEscape(line))
              .join(` +\n${' '.repeat(ctx.indentationLvl + 2)}`) + trailer
          );
        }
        return strEscape(value) + trailer;
      }
      case 'number':
        return formatNumber(value);
      case 'bigint':
        return `${value}n`;
      case 'boolean':
        return `${value}`;
      case 'undefined':
        return 'undefined';
      case 'symbol':
        return Symbol.prototype.toString.call(value);
      default:
        return String(value);
    }
  }

  function formatValue(ctx, value, recurseTimes, typedArray) {
    if (typeof value !== 'object' && typeof value !== 'function') {
      return formatPrimitive(ctx, value);
    }
    if (value === null) return 'null';

    if (ctx.customInspect) {
      let custom;
      try {
        custom = value[customInspect];
      } catch {
        custom = undefined;
      }
      if (typeof custom === 'function' && custom !== inspect) {
        const depth = ctx.depth - recurseTimes;
        const ret = custom.call(value, depth, { ...ctx, seen: undefined }, inspect);
        if (ret !== value) {
          if (typeof ret !== 'string') return formatValue(ctx, ret, recurseTimes);
          return ret.replaceAll('\n', `\n${' '.repeat(ctx.indentationLvl)}`);
        }
      }
    }

    if (ctx.seen.includes(value)) {
      let index = 1;
      if (ctx.circular === undefined) {
        ctx.circular = new Map([[value, index]]);
      } else {
        index = ctx.circular.get(value);
        if (index === undefined) {
          index = ctx.circular.size + 1;
          ctx.circular.set(value, index);
        }
      }
      return `[Circular *${index}]`;
    }
    return formatRaw(ctx, value, recurseTimes, typedArray);
  }

  function isInstanceof(obj, ctor) {
    try {
      return obj instanceof ctor;
    } catch {
      return false;
    }
  }

  function getConstructorName(obj) {
    let proto = obj;
    while (proto !== null && proto !== undefined) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, 'constructor');
      if (
        descriptor !== undefined &&
        typeof descriptor.value === 'function' &&
        descriptor.value.name !== '' &&
        isInstanceof(obj, descriptor.value)
      ) {
        return String(descriptor.value.name);
      }
      proto = Object.getPrototypeOf(proto);
    }
    return Object.getPrototypeOf(obj) === null ? null : 'Object';
  }

  function getPrefix(constructor, tag, fallback, size = '') {
    if (constructor === null) {
      if (tag !== '' && fallback !== tag) return `[${fallback}${size}: null prototype] [${tag}] `;
      return `[${fallback}${size}: null prototype] `;
    }
    if (tag !== '' && constructor !== tag) return `${constructor}${size} [${tag}] `;
    return `${constructor}${size} `;
  }

  function getKeys(value) {
    const keys = Object.keys(value);
    for (const symbol of Object.getOwnPropertySymbols(value)) {
      if (isEnumerable(value, symbol)) keys.push(symbol);
    }
    return keys;
  }

  const isIndexKey = (key) => /^(0|[1-9][0-9]*)$/.test(key) && Number(key) < 4294967295;

  function getNonIndexKeys(value) {
    return getKeys(value).filter((key) => typeof key === 'symbol' || !isIndexKey(key));
  }

  function getFunctionBase(value, constructor, tag) {
    let source = '';
    try {
      source = Function.prototype.toString.call(value);
    } catch {
      // A revoked proxy or similar: no source.
    }
    if (source.startsWith('class') && source.endsWith('}')) {
      const name = (hasOwn(value, 'name') && value.name) || '(anonymous)';
      let base = `class ${name}`;
      if (constructor !== 'Function' && constructor !== null) base += ` [${constructor}]`;
      if (tag !== '' && constructor !== tag) base += ` [${tag}]`;
      if (constructor !== null) {
        const superName = Object.getPrototypeOf(value).name;
        if (superName) base += ` extends ${superName}`;
      } else {
        base += ' extends [null prototype]';
      }
      return `[${base}]`;
    }
    let type = 'Function';
    if (
      constructor === 'AsyncFunction' ||
      constructor === 'GeneratorFunction' ||
      constructor === 'AsyncGeneratorFunction'
    ) {
      type = constructor;
    }
    let base = `[${type}`;
    if (constructor === null) base += ' (null prototype)';
    base += value.name === '' ? ' (anonymous)' : `: ${value.name}`;
    base += ']';
    if (constructor !== type && constructor !== null && constructor !== 'Function') {
      base += ` ${constructor}`;
    }
    if (tag !== '' && constructor !== tag) base += ` [${tag}]`;
    return base;
  }

  /** "Name: message", as Error.prototype.toString would give (never throws). */
  function errorHeader(err) {
    let name;
    let message;
    try {
      name = err.name === undefined ? 'Error' : String(err.name);
      message = err.message === undefined ? '' : String(err.message);
    } catch {
      return 'Error';
    }
    if (name === '') return message;
    if (message === '') return name;
    return `${name}: ${message}`;
  }

  /**
   * The error's stack with the "Name: message" header line V8 puts first; engines that keep
   * only the frames in `stack` (QuickJS, SpiderMonkey) get the header added.
   */
  function errorStack(err) {
    const header = errorHeader(err);
    let stack;
    try {
      stack = err.stack;
    } catch {
      stack = undefined;
    }
    if (typeof stack !== 'string' || stack === '') return header;
    stack = stack.replace(/\n+$/, '');
    if (stack.includes(header)) return stack;
    return `${header}\n${stack}`;
  }

  function improveStack(stack, constructor, name, tag) {
    let len = name.length;
    if (
      constructor === null ||
      (name.endsWith('Error') &&
        stack.startsWith(name) &&
        (stack.length === len || stack[len] === ':' || stack[len] === '\n'))
    ) {
      let fallback = 'Error';
      if (constructor === null) {
        const start =
          /^([A-Z][a-z_ A-Z0-9[\]()-]+)(?::|\n\s+at)/.exec(stack) ||
          /^([a-z_A-Z0-9-]*Error)$/.exec(stack);
        fallback = (start && start[1]) || '';
        len = fallback.length;
        fallback = fallback || 'Error';
      }
      const prefix = getPrefix(constructor, tag, fallback).slice(0, -1);
      if (name !== prefix) {
        if (prefix.includes(name)) {
          stack = len === 0 ? `${prefix}: ${stack}` : `${prefix}${stack.slice(len)}`;
        } else {
          stack = `${prefix} [${name}]${stack.slice(len)}`;
        }
      }
    }
    return stack;
  }

  function formatError(err, constructor, tag, ctx, keys) {
    let name = 'Error';
    try {
      if (err.name != null) name = String(err.name);
    } catch {
      // keep 'Error'
    }
    let stack = errorStack(err);
    // Do not show name, message or stack again when the stack already shows them.
    for (const key of ['name', 'message', 'stack']) {
      const index = keys.indexOf(key);
      if (index !== -1 && typeof err[key] === 'string' && stack.includes(err[key])) {
        keys.splice(index, 1);
      }
    }
    if ('cause' in err && !keys.includes('cause')) keys.push('cause');
    if (Array.isArray(err.errors) && !keys.includes('errors')) keys.push('errors');
    stack = improveStack(stack, constructor, name, tag);
    if (!stack.includes('\n    at') && !ctx.bareErrors) stack = `[${stack}]`;
    if (ctx.indentationLvl !== 0) {
      stack = stack.replaceAll('\n', `\n${' '.repeat(ctx.indentationLvl)}`);
    }
    return stack;
  }

  function formatRaw(ctx, value, recurseTimes, typedArray) {
    let keys;
    const constructor = getConstructorName(value);
    let tag;
    try {
      tag = value[Symbol.toStringTag];
    } catch {
      tag = '';
    }
    if (typeof tag !== 'string' || (tag !== '' && isEnumerable(value, Symbol.toStringTag))) {
      tag = '';
    }
    let base = '';
    let formatter = () => [];
    let braces;
    let noIterator = true;
    let extrasType = kObjectType;

    if (Symbol.iterator in value || constructor === null) {
      noIterator = false;
      if (Array.isArray(value)) {
        const prefix =
          constructor !== 'Array' || tag !== ''
            ? getPrefix(constructor, tag, 'Array', `(${value.length})`)
            : '';
        keys = getNonIndexKeys(value);
        braces = [`${prefix}[`, ']'];
        if (value.length === 0 && keys.length === 0) return `${braces[0]}]`;
        extrasType = kArrayExtrasType;
        formatter = formatArray;
      } else if (isSet(value)) {
        const size = setSize.call(value);
        const prefix = getPrefix(constructor, tag, 'Set', `(${size})`);
        keys = getKeys(value);
        formatter = formatSet;
        if (size === 0 && keys.length === 0) return `${prefix}{}`;
        braces = [`${prefix}{`, '}'];
      } else if (isMap(value)) {
        const size = mapSize.call(value);
        const prefix = getPrefix(constructor, tag, 'Map', `(${size})`);
        keys = getKeys(value);
        formatter = formatMap;
        if (size === 0 && keys.length === 0) return `${prefix}{}`;
        braces = [`${prefix}{`, '}'];
      } else if (isTypedArray(value)) {
        keys = getNonIndexKeys(value);
        const size = value.length;
        const prefix = getPrefix(constructor, tag, typedArrayTag.call(value), `(${size})`);
        braces = [`${prefix}[`, ']'];
        if (size === 0 && keys.length === 0) return `${braces[0]}]`;
        formatter = formatTypedArray;
        extrasType = kArrayExtrasType;
      } else {
        noIterator = true;
      }
    }
    if (noIterator) {
      keys = getKeys(value);
      braces = ['{', '}'];
      if (constructor === 'Object') {
        if (objectToString(value) === '[object Arguments]') {
          keys = getNonIndexKeys(value);
          braces = ['[Arguments] [', ']'];
          extrasType = kArrayExtrasType;
          formatter = formatArray;
          if (value.length === 0 && keys.length === 0) return '[Arguments] []';
        } else {
          if (tag !== '') braces[0] = `${getPrefix(constructor, tag, 'Object')}{`;
          if (keys.length === 0) return `${braces[0]}}`;
        }
      } else if (typeof value === 'function') {
        base = getFunctionBase(value, constructor, tag);
        keys = keys.filter((key) => key !== 'prototype');
        if (keys.length === 0) return base;
      } else if (isRegExp(value)) {
        base = RegExp.prototype.toString.call(value);
        const prefix = getPrefix(constructor, tag, 'RegExp');
        if (prefix !== 'RegExp ') base = `${prefix}${base}`;
        if (keys.length === 0) return base;
      } else if (isDate(value)) {
        base = Number.isNaN(Date.prototype.getTime.call(value))
          ? 'Invalid Date'
          : Date.prototype.toISOString.call(value);
        const prefix = getPrefix(constructor, tag, 'Date');
        if (prefix !== 'Date ') base = `${prefix}${base}`;
        if (keys.length === 0) return base;
      } else if (isError(value)) {
        base = formatError(value, constructor, tag, ctx, keys);
        if (keys.length === 0) return base;
      } else if (isArrayBuffer(value)) {
        const prefix = getPrefix(constructor, tag, 'ArrayBuffer');
        if (typedArray === undefined) {
          formatter = formatArrayBuffer;
        } else if (keys.length === 0) {
          return `${prefix}{ byteLength: ${formatNumber(value.byteLength)} }`;
        }
        braces[0] = `${prefix}{`;
        keys.unshift('byteLength');
      } else if (isDataView(value)) {
        braces[0] = `${getPrefix(constructor, tag, 'DataView')}{`;
        keys.unshift('byteLength', 'byteOffset', 'buffer');
      } else if (isPromise(value)) {
        braces[0] = `${getPrefix(constructor, tag, 'Promise')}{`;
        formatter = formatPromise;
      } else if (isWeakSet(value)) {
        braces[0] = `${getPrefix(constructor, tag, 'WeakSet')}{`;
        formatter = () => ['<items unknown>'];
      } else if (isWeakMap(value)) {
        braces[0] = `${getPrefix(constructor, tag, 'WeakMap')}{`;
        formatter = () => ['<items unknown>'];
      } else if (boxedType(value) !== '') {
        const type = boxedType(value);
        const primitive = globalThis[type].prototype.valueOf.call(value);
        if (type === 'String') keys = getNonIndexKeys(value);
        base = `[${type}`;
        if (type !== constructor) {
          base += constructor === null ? ' (null prototype)' : ` (${constructor})`;
        }
        base += `: ${formatPrimitive(makeContext({ compact: 3 }), primitive)}]`;
        if (tag !== '' && tag !== constructor) base += ` [${tag}]`;
        if (keys.length === 0) return base;
      } else {
        if (keys.length === 0) return `${getPrefix(constructor, tag, 'Object')}{}`;
        braces[0] = `${getPrefix(constructor, tag, 'Object')}{`;
      }
    }

    if (recurseTimes > ctx.depth) {
      let name = getPrefix(constructor, tag, 'Object').slice(0, -1);
      if (constructor !== null) name = `[${name}]`;
      return name;
    }
    recurseTimes += 1;
    ctx.seen.push(value);
    ctx.currentDepth = recurseTimes;
    let output;
    try {
      output = formatter(ctx, value, recurseTimes);
      for (const key of keys) {
        output.push(formatProperty(ctx, value, recurseTimes, key, extrasType));
      }
    } finally {
      ctx.seen.pop();
    }
    if (ctx.circular !== undefined) {
      const index = ctx.circular.get(value);
      if (index !== undefined) {
        const reference = `<ref *${index}>`;
        base = base === '' ? reference : `${reference} ${base}`;
      }
    }
    return reduceToSingleString(ctx, output, base, braces, extrasType, recurseTimes, value);
  }

  function remainingText(remaining) {
    return `... ${remaining} more item${remaining > 1 ? 's' : ''}`;
  }

  function formatArray(ctx, value, recurseTimes) {
    const length = value.length;
    const max = Math.min(Math.max(0, ctx.maxArrayLength), length);
    const output = [];
    let i = 0;
    let holeKeys;
    while (i < length && output.length < max) {
      if (hasOwn(value, i)) {
        output.push(formatProperty(ctx, value, recurseTimes, i, kArrayType));
        i++;
        continue;
      }
      // A run of holes: find the next present index without walking a huge sparse array.
      if (holeKeys === undefined) {
        holeKeys = Object.keys(value)
          .filter(isIndexKey)
          .map(Number)
          .sort((a, b) => a - b);
      }
      let next = length;
      for (const key of holeKeys) {
        if (key > i) {
          next = key;
          break;
        }
      }
      const holes = next - i;
      output.push(`<${holes} empty item${holes > 1 ? 's' : ''}>`);
      i = next;
    }
    if (i < length) output.push(remainingText(length - i));
    return output;
  }

  function formatTypedArray(ctx, value) {
    const length = value.length;
    const max = Math.min(Math.max(0, ctx.maxArrayLength), length);
    const output = [];
    for (let i = 0; i < max; i++) {
      output.push(typeof value[i] === 'bigint' ? `${value[i]}n` : formatNumber(value[i]));
    }
    if (length > max) output.push(remainingText(length - max));
    return output;
  }

  function formatArrayBuffer(ctx, value) {
    const bytes = new Uint8Array(value);
    const shown = Math.min(ctx.maxArrayLength, bytes.length);
    let str = Array.from(bytes.subarray(0, shown), (b) => b.toString(16).padStart(2, '0')).join(' ');
    const remaining = bytes.length - shown;
    if (remaining > 0) str += ` ... ${remaining} more byte${remaining > 1 ? 's' : ''}`;
    return [`[Uint8Contents]: <${str}>`];
  }

  function formatSet(ctx, value, recurseTimes) {
    const size = setSize.call(value);
    const max = Math.min(Math.max(0, ctx.maxArrayLength), size);
    const output = [];
    ctx.indentationLvl += 2;
    for (const entry of Set.prototype.values.call(value)) {
      if (output.length >= max) break;
      output.push(formatValue(ctx, entry, recurseTimes));
    }
    if (size > max) output.push(remainingText(size - max));
    ctx.indentationLvl -= 2;
    return output;
  }

  function formatMap(ctx, value, recurseTimes) {
    const size = mapSize.call(value);
    const max = Math.min(Math.max(0, ctx.maxArrayLength), size);
    const output = [];
    ctx.indentationLvl += 2;
    for (const [k, v] of Map.prototype.entries.call(value)) {
      if (output.length >= max) break;
      output.push(`${formatValue(ctx, k, recurseTimes)} => ${formatValue(ctx, v, recurseTimes)}`);
    }
    if (size > max) output.push(remainingText(size - max));
    ctx.indentationLvl -= 2;
    return output;
  }

  function formatPromise(ctx, value, recurseTimes) {
    const details = typeof host.promiseState === 'function' ? host.promiseState(value) : undefined;
    if (details === undefined || details[0] === 'pending') return ['<pending>'];
    ctx.indentationLvl += 2;
    const str = formatValue(ctx, details[1], recurseTimes);
    ctx.indentationLvl -= 2;
    return [details[0] === 'rejected' ? `<rejected> ${str}` : str];
  }

  function formatProperty(ctx, value, recurseTimes, key, type) {
    let desc;
    try {
      desc = Object.getOwnPropertyDescriptor(value, key) || { value: value[key], enumerable: true };
    } catch {
      desc = { value: undefined, enumerable: true };
    }
    let str;
    if (desc.value !== undefined) {
      ctx.indentationLvl += 2;
      str = formatValue(ctx, desc.value, recurseTimes);
      ctx.indentationLvl -= 2;
    } else if (desc.get !== undefined) {
      str = desc.set !== undefined ? '[Getter/Setter]' : '[Getter]';
    } else if (desc.set !== undefined) {
      str = '[Setter]';
    } else {
      str = 'undefined';
    }
    if (type === kArrayType) return str;
    let name;
    if (typeof key === 'symbol') {
      name = `[${Symbol.prototype.toString.call(key)}]`;
    } else if (key === '__proto__') {
      name = "['__proto__']";
    } else if (desc.enumerable === false) {
      name = `[${key}]`;
    } else if (keyStrRegExp.test(key)) {
      name = key;
    } else {
      name = strEscape(key);
    }
    return `${name}: ${str}`;
  }

  function groupArrayElements(ctx, output, value) {
    let totalLength = 0;
    let maxLength = 0;
    let outputLength = output.length;
    if (output.length > 0 && output[output.length - 1].startsWith('... ')) outputLength--;
    const separatorSpace = 2;
    const dataLen = new Array(outputLength);
    for (let i = 0; i < outputLength; i++) {
      const len = output[i].length;
      dataLen[i] = len;
      totalLength += len + separatorSpace;
      if (maxLength < len) maxLength = len;
    }
    const actualMax = maxLength + separatorSpace;
    if (
      actualMax * 3 + ctx.indentationLvl < ctx.breakLength &&
      (totalLength / actualMax > 5 || maxLength <= 6)
    ) {
      const averageBias = Math.sqrt(actualMax - totalLength / output.length);
      const biasedMax = Math.max(actualMax - 3 - averageBias, 1);
      const columns = Math.min(
        Math.round(Math.sqrt(2.5 * biasedMax * outputLength) / biasedMax),
        Math.floor((ctx.breakLength - ctx.indentationLvl) / actualMax),
        ctx.compact * 4,
        15,
      );
      if (columns <= 1) return output;
      const tmp = [];
      const maxLineLength = [];
      for (let i = 0; i < columns; i++) {
        let lineLength = 0;
        for (let j = i; j < outputLength; j += columns) {
          if (dataLen[j] > lineLength) lineLength = dataLen[j];
        }
        maxLineLength.push(lineLength + separatorSpace);
      }
      let padStart = true;
      if (value !== undefined) {
        for (let i = 0; i < outputLength; i++) {
          if (typeof value[i] !== 'number' && typeof value[i] !== 'bigint') {
            padStart = false;
            break;
          }
        }
      }
      for (let i = 0; i < outputLength; i += columns) {
        const max = Math.min(i + columns, outputLength);
        let str = '';
        let j = i;
        for (; j < max - 1; j++) {
          const cell = `${output[j]}, `;
          str += padStart
            ? cell.padStart(maxLineLength[j - i], ' ')
            : cell.padEnd(maxLineLength[j - i], ' ');
        }
        if (padStart) {
          str += output[j].padStart(maxLineLength[j - i] - separatorSpace, ' ');
        } else {
          str += output[j];
        }
        tmp.push(str);
      }
      if (outputLength < output.length) tmp.push(output[outputLength]);
      output = tmp;
    }
    return output;
  }

  function isBelowBreakLength(ctx, output, start, base) {
    let totalLength = output.length + start;
    if (totalLength + output.length > ctx.breakLength) return false;
    for (let i = 0; i < output.length; i++) {
      totalLength += output[i].length;
      if (totalLength > ctx.breakLength) return false;
    }
    return base === '' || !base.includes('\n');
  }

  function reduceToSingleString(ctx, output, base, braces, extrasType, recurseTimes, value) {
    const entries = output.length;
    if (extrasType === kArrayExtrasType && entries > 6) {
      output = groupArrayElements(ctx, output, value);
    }
    if (ctx.currentDepth - recurseTimes < ctx.compact && entries === output.length) {
      const start = output.length + ctx.indentationLvl + braces[0].length + base.length + 10;
      if (isBelowBreakLength(ctx, output, start, base)) {
        const joined = output.join(', ');
        if (!joined.includes('\n')) {
          return `${base ? `${base} ` : ''}${braces[0]} ${joined} ${braces[1]}`;
        }
      }
    }
    const indentation = `\n${' '.repeat(ctx.indentationLvl)}`;
    return `${base ? `${base} ` : ''}${braces[0]}${indentation}  ${output.join(`,${indentation}  `)}${indentation}${braces[1]}`;
  }

  // ---------------------------------------------------------------------------------------
  // util.format

  const builtinToStrings = [
    Object.prototype.toString,
    Array.prototype.toString,
    Error.prototype.toString,
    Date.prototype.toString,
    RegExp.prototype.toString,
    Function.prototype.toString,
  ];

  function tryStringify(value) {
    try {
      return JSON.stringify(value);
    } catch (err) {
      if (err instanceof TypeError && /circular|cyclic/i.test(String(err.message))) {
        return '[Circular]';
      }
      throw err;
    }
  }

  function formatWithOptions(options, args) {
    const first = args[0];
    let a = 0;
    let str = '';
    let join = '';
    if (typeof first === 'string') {
      if (args.length === 1) return first;
      let lastPos = 0;
      let tempStr;
      for (let i = 0; i < first.length - 1; i++) {
        if (first.charCodeAt(i) !== 37) continue; // '%'
        const nextChar = first.charCodeAt(++i);
        if (a + 1 !== args.length) {
          switch (nextChar) {
            case 115: {
              // 's'
              const arg = args[++a];
              if (typeof arg === 'number') tempStr = formatNumber(arg);
              else if (typeof arg === 'bigint') tempStr = `${arg}n`;
              else if (
                typeof arg !== 'object' ||
                arg === null ||
                !builtinToStrings.includes(arg.toString)
              ) {
                tempStr = String(arg);
              } else {
                tempStr = inspect(arg, { ...options, depth: 0 });
              }
              break;
            }
            case 106: // 'j'
              tempStr = tryStringify(args[++a]);
              break;
            case 100: {
              // 'd'
              const arg = args[++a];
              if (typeof arg === 'bigint') tempStr = `${arg}n`;
              else if (typeof arg === 'symbol') tempStr = 'NaN';
              else tempStr = formatNumber(Number(arg));
              break;
            }
            case 79: // 'O'
              tempStr = inspect(args[++a], options);
              break;
            case 111: // 'o'
              tempStr = inspect(args[++a], { ...options, depth: 4 });
              break;
            case 105: {
              // 'i'
              const arg = args[++a];
              if (typeof arg === 'bigint') tempStr = `${arg}n`;
              else if (typeof arg === 'symbol') tempStr = 'NaN';
              else tempStr = formatNumber(Number.parseInt(arg));
              break;
            }
            case 102: {
              // 'f'
              const arg = args[++a];
              tempStr = typeof arg === 'symbol' ? 'NaN' : formatNumber(Number.parseFloat(arg));
              break;
            }
            case 99: // 'c'
              a += 1;
              tempStr = '';
              break;
            case 37: // '%'
              str += first.slice(lastPos, i);
              lastPos = i + 1;
              continue;
            default:
              continue;
          }
          if (lastPos !== i - 1) str += first.slice(lastPos, i - 1);
          str += tempStr;
          lastPos = i + 1;
        } else if (nextChar === 37) {
          str += first.slice(lastPos, i);
          lastPos = i + 1;
        }
      }
      if (lastPos !== 0) {
        a++;
        join = ' ';
        if (lastPos < first.length) str += first.slice(lastPos);
      }
    }
    while (a < args.length) {
      const value = args[a];
      str += join;
      str += typeof value !== 'string' ? inspect(value, options) : value;
      join = ' ';
      a++;
    }
    return str;
  }

  const format = (...args) => formatWithOptions(undefined, args);

  // ---------------------------------------------------------------------------------------
  // Output and console

  let groupIndent = '';

  function writeLine(write, text) {
    if (groupIndent !== '') {
      text = groupIndent + text.replaceAll('\n', `\n${groupIndent}`);
    }
    write(`${text}\n`);
  }

  const writeOut = (text) => host.writeStdout(text);
  const writeErr = (text) => host.writeStderr(text);

  function formatArgs(args) {
    if (args.length === 1 && typeof args[0] === 'string') return args[0];
    return formatWithOptions(undefined, args);
  }

  const counts = new Map();
  const timeLabels = new Map();

  function formatTime(ms) {
    if (ms >= 1000) {
      if (ms >= 60000) {
        if (ms >= 3600000) return `${(ms / 3600000).toFixed(3)}h`;
        return `${(ms / 60000).toFixed(3)}min`;
      }
      return `${(ms / 1000).toFixed(3)}s`;
    }
    return `${ms.toFixed(3)}ms`;
  }

  function renderTable(head, columns) {
    const rows = [];
    const widths = head.map((h) => h.length);
    const longest = Math.max(0, ...columns.map((c) => c.length));
    for (let i = 0; i < head.length; i++) {
      const column = columns[i];
      for (let j = 0; j < longest; j++) {
        if (rows[j] === undefined) rows[j] = [];
        const cell = hasOwn(column, j) && column[j] !== undefined ? column[j] : '';
        rows[j][i] = cell;
        widths[i] = Math.max(widths[i] || 0, cell.length);
      }
    }
    const renderRow = (row) =>
      `│ ${row.map((cell, i) => cell.padEnd(widths[i], ' ')).join(' │ ')} │`;
    const divider = widths.map((w) => '─'.repeat(w + 2));
    let out = `┌${divider.join('┬')}┐\n${renderRow(head)}\n├${divider.join('┼')}┤\n`;
    for (const row of rows) out += `${renderRow(row)}\n`;
    return `${out}└${divider.join('┴')}┘`;
  }

  function consoleTable(data, properties) {
    if (data === null || typeof data !== 'object') return console.log(data);
    const cell = (v) => {
      const depth = v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 2 ? -1 : 0;
      return inspect(v, { depth, maxArrayLength: 3, breakLength: Infinity });
    };
    let indexKeys;
    let items;
    if (isMap(data)) {
      indexKeys = [];
      items = [];
      let i = 0;
      for (const [k, v] of data) {
        indexKeys.push(String(i++));
        items.push([k, v]);
      }
      const head = ['(iteration index)', 'Key', 'Values'];
      return writeLine(writeOut, renderTable(head, [indexKeys, items.map((e) => cell(e[0])), items.map((e) => cell(e[1]))]));
    }
    if (isSet(data)) {
      items = [...data];
      indexKeys = items.map((_, i) => String(i));
      return writeLine(writeOut, renderTable(['(iteration index)', 'Values'], [indexKeys, items.map(cell)]));
    }
    indexKeys = Object.keys(data);
    const map = new Map();
    const values = [];
    let hasPrimitives = false;
    indexKeys.forEach((index, i) => {
      const item = data[index];
      const primitive = item === null || (typeof item !== 'function' && typeof item !== 'object');
      if (properties === undefined && primitive) {
        hasPrimitives = true;
        values[i] = cell(item);
      } else {
        for (const key of properties || Object.keys(item)) {
          if (!map.has(key)) map.set(key, []);
          map.get(key)[i] = primitive || !hasOwn(item, key) ? '' : cell(item[key]);
        }
      }
    });
    const head = ['(index)', ...map.keys()];
    const columns = [indexKeys, ...map.values()];
    if (hasPrimitives) {
      head.push('Values');
      columns.push(values);
    }
    return writeLine(writeOut, renderTable(head, columns));
  }

  const console = {
    log: (...args) => writeLine(writeOut, formatArgs(args)),
    info: (...args) => writeLine(writeOut, formatArgs(args)),
    debug: (...args) => writeLine(writeOut, formatArgs(args)),
    warn: (...args) => writeLine(writeErr, formatArgs(args)),
    error: (...args) => writeLine(writeErr, formatArgs(args)),
    dir: (value, options) => writeLine(writeOut, inspect(value, { customInspect: false, ...options })),
    dirxml: (...args) => writeLine(writeOut, formatArgs(args)),
    trace: (...args) => {
      const err = new Error(formatArgs(args));
      err.name = 'Trace';
      // Hide the prelude's own frame(s): the trace starts at the caller.
      const lines = errorStack(err).split('\n');
      writeLine(writeErr, lines.filter((line) => !/^\s+at .*\(prelude\.js:\d+:\d+\)$/.test(line)).join('\n'));
    },
    assert: (condition, ...args) => {
      if (condition) return;
      if (args.length === 0) args = ['Assertion failed'];
      else if (typeof args[0] === 'string') args[0] = `Assertion failed: ${args[0]}`;
      else args.unshift('Assertion failed');
      writeLine(writeErr, formatArgs(args));
    },
    count: (label = 'default') => {
      label = `${label}`;
      const count = (counts.get(label) || 0) + 1;
      counts.set(label, count);
      writeLine(writeOut, `${label}: ${count}`);
    },
    countReset: (label = 'default') => {
      counts.delete(`${label}`);
    },
    time: (label = 'default') => {
      timeLabels.set(`${label}`, host.now());
    },
    timeEnd: (label = 'default') => {
      label = `${label}`;
      if (!timeLabels.has(label)) return;
      writeLine(writeOut, `${label}: ${formatTime(host.now() - timeLabels.get(label))}`);
      timeLabels.delete(label);
    },
    timeLog: (label = 'default', ...data) => {
      label = `${label}`;
      if (!timeLabels.has(label)) return;
      const text = `${label}: ${formatTime(host.now() - timeLabels.get(label))}`;
      writeLine(writeOut, data.length ? `${text} ${formatArgs(data)}` : text);
    },
    group: (...label) => {
      if (label.length > 0) writeLine(writeOut, formatArgs(label));
      groupIndent += '  ';
    },
    groupCollapsed: (...label) => console.group(...label),
    groupEnd: () => {
      groupIndent = groupIndent.slice(0, -2);
    },
    table: consoleTable,
  };

  // ---------------------------------------------------------------------------------------
  // EventEmitter (the subset programs use with process, stdin and readline)

  const kEvents = Symbol('events');
  const kListenerAdded = Symbol('listenerAdded');

  /** The listener list for `event`, created on demand (also for `Object.create`d emitters). */
  function listenersOf(emitter, event, create) {
    if (!hasOwn(emitter, kEvents)) {
      if (!create) return undefined;
      Object.defineProperty(emitter, kEvents, { value: new Map(), configurable: true });
    }
    let list = emitter[kEvents].get(event);
    if (list === undefined && create) {
      list = [];
      emitter[kEvents].set(event, list);
    }
    return list;
  }

  function addListener(emitter, event, listener, prepend, once) {
    validateFunction(listener, 'listener');
    if (emitter.listenerCount('newListener') > 0) emitter.emit('newListener', event, listener);
    const entry = { listener, once };
    const list = listenersOf(emitter, event, true);
    if (prepend) list.unshift(entry);
    else list.push(entry);
    if (typeof emitter[kListenerAdded] === 'function') emitter[kListenerAdded](event);
    return emitter;
  }

  /** Node's EventEmitter (a function, so old-style `EventEmitter.call(this)` works too). */
  function EventEmitter() {
    if (!(this instanceof EventEmitter)) throw new TypeError("Class constructor EventEmitter cannot be invoked without 'new'");
    listenersOf(this, 'newListener', true);
  }

  defineHidden(EventEmitter.prototype, {
    on(event, listener) {
      return addListener(this, event, listener, false, false);
    },
    addListener(event, listener) {
      return addListener(this, event, listener, false, false);
    },
    prependListener(event, listener) {
      return addListener(this, event, listener, true, false);
    },
    once(event, listener) {
      return addListener(this, event, listener, false, true);
    },
    prependOnceListener(event, listener) {
      return addListener(this, event, listener, true, true);
    },
    off(event, listener) {
      return this.removeListener(event, listener);
    },
    removeListener(event, listener) {
      const list = listenersOf(this, event, false);
      if (list) {
        const index = list.findLastIndex((entry) => entry.listener === listener);
        if (index !== -1) list.splice(index, 1);
      }
      return this;
    },
    removeAllListeners(event) {
      if (!hasOwn(this, kEvents)) return this;
      if (event === undefined) this[kEvents].clear();
      else this[kEvents].delete(event);
      return this;
    },
    emit(event, ...args) {
      const list = listenersOf(this, event, false);
      if (!list || list.length === 0) {
        if (event === 'error') {
          const err = args[0];
          if (err instanceof Error) throw err;
          const wrapped = new Error(`Unhandled error. (${inspect(err)})`);
          wrapped.code = 'ERR_UNHANDLED_ERROR';
          wrapped.context = err;
          throw wrapped;
        }
        return false;
      }
      for (const entry of [...list]) {
        if (entry.once) {
          const index = list.indexOf(entry);
          if (index !== -1) list.splice(index, 1);
        }
        entry.listener.apply(this, args);
      }
      return true;
    },
    listenerCount(event) {
      const list = listenersOf(this, event, false);
      return list ? list.length : 0;
    },
    listeners(event) {
      const list = listenersOf(this, event, false);
      return list ? list.map((entry) => entry.listener) : [];
    },
    rawListeners(event) {
      return this.listeners(event);
    },
    eventNames() {
      return hasOwn(this, kEvents)
        ? [...this[kEvents].keys()].filter((event) => this.listenerCount(event) > 0)
        : [];
    },
    setMaxListeners() {
      return this;
    },
    getMaxListeners() {
      return 10;
    },
  });
  EventEmitter.EventEmitter = EventEmitter;
  EventEmitter.defaultMaxListeners = 10;
  EventEmitter.once = (emitter, event) =>
    new Promise((resolve, reject) => {
      const onEvent = (...args) => {
        if (event !== 'error') emitter.removeListener('error', onError);
        resolve(args);
      };
      const onError = (err) => {
        emitter.removeListener(event, onEvent);
        reject(err);
      };
      emitter.once(event, onEvent);
      if (event !== 'error') emitter.once('error', onError);
    });

  // ---------------------------------------------------------------------------------------
  // process.nextTick queue and virtual-time timers

  let tickQueue = [];
  let tickHead = 0;

  function nextTick(callback, ...args) {
    validateFunction(callback, 'callback');
    tickQueue.push({ callback, args });
  }

  /** Runs every queued nextTick callback (and those they queue); true if any ran. */
  function runTicks() {
    if (tickHead === tickQueue.length) return false;
    while (tickHead < tickQueue.length) {
      const tick = tickQueue[tickHead];
      tickQueue[tickHead++] = undefined;
      tick.callback(...tick.args);
    }
    tickQueue = [];
    tickHead = 0;
    return true;
  }

  const TIMEOUT_MAX = 2 ** 31 - 1;
  let clock = 0; // virtual milliseconds since the start of the event loop
  let timerSeq = 0;
  let nextTimerId = 1;
  let refedTimers = 0;
  const timerHeap = []; // entries { due, seq, timer }, ordered by (due, seq)
  const kTimer = Symbol('timer');

  function heapLess(a, b) {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq);
  }

  function heapPush(entry) {
    timerHeap.push(entry);
    let i = timerHeap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!heapLess(timerHeap[i], timerHeap[parent])) break;
      [timerHeap[i], timerHeap[parent]] = [timerHeap[parent], timerHeap[i]];
      i = parent;
    }
  }

  function heapPop() {
    const top = timerHeap[0];
    const last = timerHeap.pop();
    if (timerHeap.length > 0) {
      timerHeap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < timerHeap.length && heapLess(timerHeap[left], timerHeap[smallest])) smallest = left;
        if (right < timerHeap.length && heapLess(timerHeap[right], timerHeap[smallest])) smallest = right;
        if (smallest === i) break;
        [timerHeap[i], timerHeap[smallest]] = [timerHeap[smallest], timerHeap[i]];
        i = smallest;
      }
    }
    return top;
  }

  /** What setTimeout, setInterval and setImmediate return (Node's Timeout / Immediate). */
  class Timeout {
    constructor(callback, delay, args, repeat) {
      defineHidden(this, {
        [kTimer]: {
          id: nextTimerId++,
          callback,
          args,
          delay,
          repeat,
          active: false,
          refed: true,
          seq: 0,
        },
      });
    }

    ref() {
      const t = this[kTimer];
      if (!t.refed) {
        t.refed = true;
        if (t.active) refedTimers++;
      }
      return this;
    }

    unref() {
      const t = this[kTimer];
      if (t.refed) {
        t.refed = false;
        if (t.active) refedTimers--;
      }
      return this;
    }

    hasRef() {
      return this[kTimer].refed;
    }

    refresh() {
      if (this[kTimer].active) scheduleTimer(this, clock + this[kTimer].delay);
      return this;
    }

    close() {
      cancelTimer(this);
      return this;
    }

    [Symbol.toPrimitive]() {
      return this[kTimer].id;
    }
  }
  class Immediate extends Timeout {}

  const timersById = new Map();

  function scheduleTimer(timeout, due) {
    const t = timeout[kTimer];
    if (!t.active) {
      t.active = true;
      if (t.refed) refedTimers++;
      timersById.set(t.id, timeout);
    }
    t.seq = ++timerSeq;
    heapPush({ due, seq: t.seq, timeout });
  }

  function cancelTimer(timeout) {
    if (typeof timeout === 'number' || typeof timeout === 'string') {
      timeout = timersById.get(Number(timeout));
    }
    if (!(timeout instanceof Timeout)) return;
    const t = timeout[kTimer];
    if (!t.active) return;
    t.active = false;
    if (t.refed) refedTimers--;
    timersById.delete(t.id);
  }

  function timerDelay(delay) {
    delay = Number(delay);
    if (!(delay >= 1 && delay <= TIMEOUT_MAX)) return 1;
    return Math.trunc(delay);
  }

  function setTimeout(callback, delay, ...args) {
    validateFunction(callback, 'callback');
    const timeout = new Timeout(callback, timerDelay(delay), args, false);
    scheduleTimer(timeout, clock + timeout[kTimer].delay);
    return timeout;
  }

  function setInterval(callback, delay, ...args) {
    validateFunction(callback, 'callback');
    const timeout = new Timeout(callback, timerDelay(delay), args, true);
    scheduleTimer(timeout, clock + timeout[kTimer].delay);
    return timeout;
  }

  function setImmediate(callback, ...args) {
    validateFunction(callback, 'callback');
    const immediate = new Immediate(callback, 0, args, false);
    scheduleTimer(immediate, clock);
    return immediate;
  }

  /** Runs the earliest due timer; false when no timer keeps the loop alive. */
  function runNextTimer() {
    while (refedTimers > 0 && timerHeap.length > 0) {
      const { due, seq, timeout } = heapPop();
      const t = timeout[kTimer];
      if (!t.active || t.seq !== seq) continue; // cleared or rescheduled since
      if (due > clock) clock = due;
      if (t.repeat) scheduleTimer(timeout, clock + t.delay);
      else cancelTimer(timeout);
      t.callback.apply(timeout, t.args);
      return true;
    }
    return false;
  }

  // ---------------------------------------------------------------------------------------
  // Standard input: readline(), process.stdin, require('readline'), require('fs')

  const STDIN_IDLE = 0; // nobody listens
  const STDIN_FLOWING = 1; // listeners registered, data not delivered yet
  const STDIN_ENDING = 2; // data delivered, 'end' not yet
  const STDIN_DONE = 3;

  class Stdin extends EventEmitter {
    constructor() {
      super();
      defineHidden(this, { state: STDIN_IDLE, pending: null, encoding: null });
      this.fd = 0;
      this.isTTY = false;
      this.readable = true;
    }

    [kListenerAdded](event) {
      if (event === 'data' || event === 'readable' || event === 'end' || event === 'close') {
        this.resume();
      }
    }

    setEncoding(encoding) {
      this.encoding = encoding === undefined ? 'utf8' : encoding;
      return this;
    }

    resume() {
      if (this.state === STDIN_IDLE) this.state = STDIN_FLOWING;
      return this;
    }

    pause() {
      return this;
    }

    isPaused() {
      return false;
    }

    unref() {
      return this;
    }

    ref() {
      return this;
    }

    /** In 'readable' mode: the delivered input (once), then null. */
    read() {
      const text = this.pending;
      this.pending = null;
      return text === null || text === '' ? null : text;
    }

    /** Delivers the next stdin event: all the input as one 'data', then 'end' and 'close'. */
    step() {
      if (this.state === STDIN_FLOWING) {
        this.state = STDIN_ENDING;
        const text = host.readStdin();
        if (this.listenerCount('readable') > 0) {
          this.pending = text;
          this.emit('readable');
        } else if (text !== '') {
          this.emit('data', text);
        }
        return true;
      }
      if (this.state === STDIN_ENDING) {
        this.state = STDIN_DONE;
        this.readable = false;
        if (this.listenerCount('readable') > 0) this.emit('readable');
        this.emit('end');
        this.emit('close');
        return true;
      }
      return false;
    }

    async *[Symbol.asyncIterator]() {
      if (this.state === STDIN_DONE) return;
      this.state = STDIN_DONE;
      const text = host.readStdin();
      if (text !== '') yield text;
    }
  }
  const stdin = new Stdin();

  const kInterface = Symbol('interface');

  class Interface extends EventEmitter {
    constructor(input, output, completer, terminal) {
      super();
      let options = input;
      if (input === undefined || input === null || typeof input.on === 'function' || typeof input !== 'object' || !('input' in input)) {
        options = { input, output, completer, terminal };
      }
      this.input = options.input;
      this.output = options.output;
      this.terminal = Boolean(options.terminal);
      this.line = '';
      this.closed = false;
      defineHidden(this, {
        [kInterface]: {
          partial: '',
          questions: [],
          prompt: options.prompt === undefined ? '> ' : String(options.prompt),
          onData: (chunk) => this.#onData(chunk),
          onEnd: () => this.#onEnd(),
        },
      });
      const source = this.input && typeof this.input.on === 'function' ? this.input : stdin;
      this[kInterface].source = source;
      source.on('data', this[kInterface].onData);
      source.on('end', this[kInterface].onEnd);
      if (typeof source.resume === 'function') source.resume();
    }

    #onData(chunk) {
      const state = this[kInterface];
      const lines = (state.partial + String(chunk)).split(/\r\n|\n|\r/);
      state.partial = lines.pop();
      for (const line of lines) {
        if (this.closed) break;
        this.#onLine(line);
      }
    }

    #onEnd() {
      const state = this[kInterface];
      if (state.partial !== '' && !this.closed) {
        const line = state.partial;
        state.partial = '';
        this.#onLine(line);
      }
      this.close();
    }

    #onLine(line) {
      const question = this[kInterface].questions.shift();
      if (question) question(line);
      else this.emit('line', line);
    }

    #write(text) {
      if (this.output && typeof this.output.write === 'function') this.output.write(text);
    }

    close() {
      if (this.closed) return;
      this.closed = true;
      const state = this[kInterface];
      state.source.removeListener('data', state.onData);
      state.source.removeListener('end', state.onEnd);
      this.emit('close');
    }

    question(query, options, callback) {
      if (typeof options === 'function') callback = options;
      if (this.closed) {
        throw codedError(Error, 'ERR_USE_AFTER_CLOSE', 'readline was closed');
      }
      validateFunction(callback, 'callback');
      this.#write(String(query));
      this[kInterface].questions.push(callback);
    }

    setPrompt(prompt) {
      this[kInterface].prompt = String(prompt);
    }

    getPrompt() {
      return this[kInterface].prompt;
    }

    prompt() {
      if (this.closed) throw codedError(Error, 'ERR_USE_AFTER_CLOSE', 'readline was closed');
      this.#write(this[kInterface].prompt);
    }

    write(data) {
      if (data !== undefined && data !== null) this.#onData(String(data));
    }

    pause() {
      return this;
    }

    resume() {
      return this;
    }

    [Symbol.asyncIterator]() {
      const buffered = [];
      const waiting = [];
      let done = this.closed;
      this.on('line', (line) => {
        const next = waiting.shift();
        if (next) next({ value: line, done: false });
        else buffered.push(line);
      });
      this.on('close', () => {
        done = true;
        for (const next of waiting.splice(0)) next({ value: undefined, done: true });
      });
      const rl = this;
      return {
        next() {
          if (buffered.length > 0) return Promise.resolve({ value: buffered.shift(), done: false });
          if (done) return Promise.resolve({ value: undefined, done: true });
          return new Promise((resolve) => waiting.push(resolve));
        },
        return() {
          rl.close();
          return Promise.resolve({ value: undefined, done: true });
        },
        [Symbol.asyncIterator]() {
          return this;
        },
      };
    }
  }

  const readlineModule = {
    Interface,
    createInterface: (input, output, completer, terminal) =>
      new Interface(input, output, completer, terminal),
    clearLine: () => true,
    clearScreenDown: () => true,
    cursorTo: () => true,
    moveCursor: () => true,
    emitKeypressEvents: () => {},
  };

  const readlinePromisesModule = {
    Interface,
    createInterface: (input, output, completer, terminal) => {
      const rl = new Interface(input, output, completer, terminal);
      rl.question = (query) =>
        new Promise((resolve) => Interface.prototype.question.call(rl, query, resolve));
      return rl;
    },
  };
  readlineModule.promises = readlinePromisesModule;

  function fsError(code, description, syscall, path) {
    const errnos = { ENOENT: -2, EACCES: -13, EBADF: -9 };
    const err = new Error(`${code}: ${description}, ${syscall} '${path}'`);
    err.errno = errnos[code];
    err.code = code;
    err.syscall = syscall;
    err.path = String(path);
    return err;
  }

  const isStdinPath = (path) => path === 0 || path === '/dev/stdin' || path === '/proc/self/fd/0';

  function outputFor(path) {
    if (path === 1 || path === '/dev/stdout' || path === '/proc/self/fd/1') return writeOut;
    if (path === 2 || path === '/dev/stderr' || path === '/proc/self/fd/2') return writeErr;
    return null;
  }

  function dataText(data) {
    if (typeof data === 'string') return data;
    if (ArrayBuffer.isView(data)) return decodeUtf8(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return String(data);
  }

  const fsModule = {
    /**
     * Standard input (fd 0, /dev/stdin) is the only readable file. Simplification: the
     * content is returned as a string even when no encoding is given (Node gives a Buffer;
     * `.toString()` and `.split()` work on both).
     */
    readFileSync(path, options) {
      if (isStdinPath(path)) return host.readStdin();
      throw fsError('ENOENT', 'no such file or directory', 'open', path);
    },
    writeFileSync(path, data) {
      const write = outputFor(path);
      if (write === null) throw fsError('EACCES', 'permission denied', 'open', path);
      write(dataText(data));
    },
    appendFileSync(path, data) {
      fsModule.writeFileSync(path, data);
    },
    writeSync(fd, data) {
      const write = outputFor(fd);
      if (write === null) throw fsError('EBADF', 'bad file descriptor', 'write', fd);
      const text = dataText(data);
      write(text);
      return encodeUtf8(text).length;
    },
    existsSync(path) {
      return isStdinPath(path) || outputFor(path) !== null;
    },
  };

  // ---------------------------------------------------------------------------------------
  // UTF-8 encoding, TextEncoder / TextDecoder (when the engine has none)

  function encodeUtf8(text) {
    text = String(text);
    const out = new Uint8Array(text.length * 3);
    let n = 0;
    for (let i = 0; i < text.length; i++) {
      let c = text.charCodeAt(i);
      if (c < 0x80) {
        out[n++] = c;
        continue;
      }
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
        const d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
        }
      }
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
      if (c < 0x800) {
        out[n++] = 0xc0 | (c >> 6);
        out[n++] = 0x80 | (c & 63);
      } else if (c < 0x10000) {
        out[n++] = 0xe0 | (c >> 12);
        out[n++] = 0x80 | ((c >> 6) & 63);
        out[n++] = 0x80 | (c & 63);
      } else {
        out[n++] = 0xf0 | (c >> 18);
        out[n++] = 0x80 | ((c >> 12) & 63);
        out[n++] = 0x80 | ((c >> 6) & 63);
        out[n++] = 0x80 | (c & 63);
      }
    }
    return out.slice(0, n);
  }

  function decodeUtf8(bytes) {
    let out = '';
    let i = 0;
    while (i < bytes.length) {
      const b = bytes[i];
      let c = 0xfffd;
      let n = 1;
      if (b < 0x80) {
        c = b;
      } else if (b >= 0xc2 && b < 0xe0 && (bytes[i + 1] & 0xc0) === 0x80) {
        c = ((b & 31) << 6) | (bytes[i + 1] & 63);
        n = 2;
      } else if (b >= 0xe0 && b < 0xf0 && (bytes[i + 1] & 0xc0) === 0x80 && (bytes[i + 2] & 0xc0) === 0x80) {
        c = ((b & 15) << 12) | ((bytes[i + 1] & 63) << 6) | (bytes[i + 2] & 63);
        n = 3;
        if (c < 0x800 || (c >= 0xd800 && c <= 0xdfff)) {
          c = 0xfffd;
          n = 1;
        }
      } else if (
        b >= 0xf0 && b < 0xf5 &&
        (bytes[i + 1] & 0xc0) === 0x80 && (bytes[i + 2] & 0xc0) === 0x80 && (bytes[i + 3] & 0xc0) === 0x80
      ) {
        c = ((b & 7) << 18) | ((bytes[i + 1] & 63) << 12) | ((bytes[i + 2] & 63) << 6) | (bytes[i + 3] & 63);
        n = 4;
        if (c < 0x10000 || c > 0x10ffff) {
          c = 0xfffd;
          n = 1;
        }
      }
      out += String.fromCodePoint(c);
      i += n;
    }
    return out;
  }

  class TextEncoder {
    get encoding() {
      return 'utf-8';
    }

    encode(input = '') {
      return encodeUtf8(input);
    }
  }

  class TextDecoder {
    constructor(label = 'utf-8') {
      const normalized = String(label).trim().toLowerCase();
      if (normalized !== 'utf-8' && normalized !== 'utf8' && normalized !== 'unicode-1-1-utf-8') {
        throw new RangeError(`The "${label}" encoding is not supported`);
      }
    }

    get encoding() {
      return 'utf-8';
    }

    decode(input) {
      if (input === undefined) return '';
      if (isArrayBuffer(input)) return decodeUtf8(new Uint8Array(input));
      if (ArrayBuffer.isView(input)) {
        return decodeUtf8(new Uint8Array(input.buffer, input.byteOffset, input.byteLength));
      }
      throw invalidArgType('input', 'an instance of ArrayBuffer or ArrayBufferView', input);
    }
  }

  // ---------------------------------------------------------------------------------------
  // structuredClone (when the engine has none)

  function dataCloneError(message) {
    const err = new Error(message);
    err.name = 'DataCloneError';
    return err;
  }

  function structuredClone(value) {
    const seen = new Map();
    const clone = (v) => {
      if (typeof v === 'symbol') throw dataCloneError(`${String(v)} could not be cloned.`);
      if (typeof v === 'function') throw dataCloneError(`${inspect(v)} could not be cloned.`);
      if (typeof v !== 'object' || v === null) return v;
      if (seen.has(v)) return seen.get(v);
      let out;
      if (Array.isArray(v)) {
        out = new Array(v.length);
        seen.set(v, out);
        for (const key of Object.keys(v)) out[key] = clone(v[key]);
        return out;
      }
      if (isMap(v)) {
        out = new Map();
        seen.set(v, out);
        for (const [k, val] of Map.prototype.entries.call(v)) out.set(clone(k), clone(val));
        return out;
      }
      if (isSet(v)) {
        out = new Set();
        seen.set(v, out);
        for (const val of Set.prototype.values.call(v)) out.add(clone(val));
        return out;
      }
      if (isDate(v)) out = new Date(Date.prototype.getTime.call(v));
      else if (isRegExp(v)) out = new RegExp(v.source, v.flags);
      else if (isArrayBuffer(v)) out = ArrayBuffer.prototype.slice.call(v, 0);
      else if (isTypedArray(v)) {
        const Ctor = globalThis[typedArrayTag.call(v)];
        out = new Ctor(clone(v.buffer), v.byteOffset, v.length);
      } else if (isDataView(v)) out = new DataView(clone(v.buffer), v.byteOffset, v.byteLength);
      else if (isError(v)) {
        const names = ['EvalError', 'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError', 'URIError'];
        const Ctor = names.includes(v.name) ? globalThis[v.name] : Error;
        out = new Ctor(v.message);
        seen.set(v, out);
        if (typeof v.stack === 'string') {
          Object.defineProperty(out, 'stack', { value: v.stack, writable: true, configurable: true });
        }
        if ('cause' in v) out.cause = clone(v.cause);
        return out;
      } else if (boxedType(v) !== '' && boxedType(v) !== 'Symbol') {
        out = Object(globalThis[boxedType(v)].prototype.valueOf.call(v));
      } else if (isPromise(v) || isWeakMap(v) || isWeakSet(v)) {
        throw dataCloneError(`${inspect(v)} could not be cloned.`);
      } else {
        out = {};
        seen.set(v, out);
        for (const key of Object.keys(v)) out[key] = clone(v[key]);
        return out;
      }
      seen.set(v, out);
      return out;
    };
    return clone(value);
  }

  // ---------------------------------------------------------------------------------------
  // process

  class Process extends EventEmitter {}
  Object.defineProperty(Process, 'name', { value: 'process' });
  const process = new Process();

  class WriteStream extends EventEmitter {
    constructor(fd, write) {
      super();
      defineHidden(this, { writeText: write });
      this.fd = fd;
      this.isTTY = false;
      this.writable = true;
      this.columns = 80;
    }

    write(chunk, encoding, callback) {
      if (typeof encoding === 'function') callback = encoding;
      this.writeText(dataText(chunk));
      if (typeof callback === 'function') nextTick(callback);
      return true;
    }

    end(chunk, encoding, callback) {
      if (typeof chunk === 'function') callback = chunk;
      else if (chunk !== undefined && chunk !== null) this.write(chunk, encoding);
      if (typeof encoding === 'function') callback = encoding;
      if (typeof callback === 'function') nextTick(callback);
      return this;
    }

    cork() {}

    uncork() {}
  }

  let exiting = false;

  function normalizeExitCode(code) {
    if (code === undefined || code === null) return 0;
    const n = Number(code);
    return Number.isInteger(n) ? n : 0;
  }

  function exit(code) {
    if (code !== undefined) process.exitCode = code;
    const status = normalizeExitCode(process.exitCode);
    if (!exiting) {
      exiting = true;
      process.emit('exit', status);
    }
    host.exit(normalizeExitCode(process.exitCode));
  }

  function hrtime(previous) {
    const ns = BigInt(Math.round(host.now() * 1e6));
    let sec = Number(ns / 1000000000n);
    let nsec = Number(ns % 1000000000n);
    if (Array.isArray(previous)) {
      sec -= previous[0];
      nsec -= previous[1];
      if (nsec < 0) {
        sec -= 1;
        nsec += 1e9;
      }
    }
    return [sec, nsec];
  }
  hrtime.bigint = () => BigInt(Math.round(host.now() * 1e6));

  Object.assign(process, {
    title: 'node',
    argv: ['node', scriptName],
    argv0: 'node',
    execArgv: [],
    env: {},
    platform: 'wasi',
    arch: 'wasm32',
    pid: 1,
    ppid: 0,
    exitCode: undefined,
    stdin,
    stdout: new WriteStream(1, writeOut),
    stderr: new WriteStream(2, writeErr),
    exit,
    nextTick,
    hrtime,
    cwd: () => '/',
    uptime: () => host.now() / 1000,
    memoryUsage: Object.assign(
      () => ({ rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 }),
      { rss: () => 0 },
    ),
    emitWarning: (warning) => {
      const text = warning instanceof Error ? `${warning.name}: ${warning.message}` : `Warning: ${warning}`;
      writeErr(`(node:1) ${text}\n`);
    },
  });

  // ---------------------------------------------------------------------------------------
  // require, module

  const utilModule = {
    inspect,
    format,
    formatWithOptions: (options, ...args) => formatWithOptions(options, args),
    inherits(ctor, superCtor) {
      Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
      Object.setPrototypeOf(ctor, superCtor);
      Object.defineProperty(ctor, 'super_', { value: superCtor, writable: true, configurable: true });
    },
    promisify(fn) {
      validateFunction(fn, 'original');
      return function promisified(...args) {
        return new Promise((resolve, reject) => {
          fn.call(this, ...args, (err, value) => (err ? reject(err) : resolve(value)));
        });
      };
    },
    isDeepStrictEqual: undefined,
    types: { isPromise, isDate, isRegExp, isMap, isSet, isTypedArray },
    TextEncoder,
    TextDecoder,
  };
  delete utilModule.isDeepStrictEqual;

  const builtinModules = {
    fs: fsModule,
    readline: readlineModule,
    'readline/promises': readlinePromisesModule,
    process,
    events: EventEmitter,
    util: utilModule,
  };

  function require(name) {
    if (typeof name !== 'string') throw invalidArgType('id', 'of type string', name);
    const key = name.startsWith('node:') ? name.slice(5) : name;
    if (hasOwn(builtinModules, key)) return builtinModules[key];
    const err = new Error(`Cannot find module '${name}'`);
    err.code = 'MODULE_NOT_FOUND';
    throw err;
  }

  const module = { id: '.', filename: scriptName, loaded: false, exports: {}, children: [], paths: [] };
  require.main = module;
  require.cache = {};
  require.resolve = (name) => {
    require(name);
    return name;
  };

  // ---------------------------------------------------------------------------------------
  // Globals

  defineGlobal('global', globalThis);
  defineGlobal('console', console);
  defineGlobal('print', (...args) => writeLine(writeOut, formatArgs(args)));
  defineGlobal('readline', () => host.readLine());
  // timeOrigin is taken on first use: a pre-initialised engine (the grader's snapshot) ran
  // this prelude long before the session it serves.
  let timeOrigin;
  defineGlobal('performance', {
    now: () => host.now(),
    get timeOrigin() {
      if (timeOrigin === undefined) timeOrigin = Date.now() - host.now();
      return timeOrigin;
    },
  });
  defineGlobal('require', require);
  defineGlobal('module', module);
  defineGlobal('exports', module.exports);
  defineGlobal('__filename', scriptName);
  defineGlobal('__dirname', '/');
  defineGlobal('process', process);
  defineGlobal('setTimeout', setTimeout);
  defineGlobal('clearTimeout', cancelTimer);
  defineGlobal('setInterval', setInterval);
  defineGlobal('clearInterval', cancelTimer);
  defineGlobal('setImmediate', setImmediate);
  defineGlobal('clearImmediate', cancelTimer);
  if (typeof globalThis.queueMicrotask !== 'function') {
    const resolved = Promise.resolve();
    defineGlobal('queueMicrotask', (callback) => {
      validateFunction(callback, 'callback');
      resolved.then(() => callback());
    });
  }
  if (typeof globalThis.structuredClone !== 'function') defineGlobal('structuredClone', structuredClone);
  if (typeof globalThis.TextEncoder !== 'function') defineGlobal('TextEncoder', TextEncoder);
  if (typeof globalThis.TextDecoder !== 'function') defineGlobal('TextDecoder', TextDecoder);

  // ---------------------------------------------------------------------------------------
  // Hooks for the host's event loop

  function describeUncaught(value, fromPromise) {
    if (value !== null && (typeof value === 'object' || typeof value === 'function') && isError(value)) {
      return inspect(value, { bareErrors: true });
    }
    if (fromPromise) {
      return (
        '[UnhandledPromiseRejection: This error originated either by throwing inside of an ' +
        'async function without a catch block, or by rejecting a promise which was not ' +
        `handled with .catch(). The promise rejected with the reason "${inspect(value)}".] {\n` +
        "  code: 'ERR_UNHANDLED_REJECTION'\n}"
      );
    }
    return `Uncaught ${inspect(value)}`;
  }

  function uncaught(value, fromPromise, promise) {
    if (fromPromise && process.listenerCount('unhandledRejection') > 0) {
      process.emit('unhandledRejection', value, promise);
      return null;
    }
    if (process.listenerCount('uncaughtException') > 0) {
      process.emit('uncaughtException', value, fromPromise ? 'unhandledRejection' : 'uncaughtException');
      return null;
    }
    let report;
    try {
      report = describeUncaught(value, fromPromise);
    } catch {
      report = `Uncaught ${String(value)}`;
    }
    writeErr(`${report}\n`);
    process.exitCode = 1;
    if (!exiting) {
      exiting = true;
      try {
        process.emit('exit', 1);
      } catch {
        // The process is failing already.
      }
    }
    return 1;
  }

  function exitCode() {
    const status = normalizeExitCode(process.exitCode);
    if (!exiting) {
      exiting = true;
      process.emit('exit', status);
    }
    return normalizeExitCode(process.exitCode);
  }

  Object.defineProperty(host, 'hooks', {
    value: Object.freeze({
      runTicks,
      runMacrotask: () => runNextTimer() || stdin.step(),
      uncaught,
      exitCode,
    }),
    enumerable: false,
    writable: false,
    configurable: false,
  });
})(globalThis.__polyrun);
