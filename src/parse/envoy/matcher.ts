import type { ChainMatcher, MatcherInput, MatcherOnMatch } from '../../model/envoy.ts';
import { ptr } from '../json.ts';
import { arr, type Ctx, evidence, obj, optBool, optNum, optObj, optStr, str, typedConfig, unsupported } from './read.ts';

const INPUTS: Record<string, MatcherInput> = {
  DestinationIPInput: 'destination-ip',
  DestinationPortInput: 'destination-port',
  SourceIPInput: 'source-ip',
  DirectSourceIPInput: 'direct-source-ip',
  SourcePortInput: 'source-port',
  SourceTypeInput: 'source-type',
  ServerNameInput: 'server-name',
  TransportProtocolInput: 'transport-protocol',
  ApplicationProtocolInput: 'application-protocol',
};

/** `filter_chain_matcher`: an xDS `Matcher` whose actions name filter chains. */
export function parseChainMatcher(ctx: Ctx, v: unknown, pointer: string): ChainMatcher {
  const m = obj(ctx, v, pointer, 'a matcher object');
  const tree = optObj(ctx, m, 'matcher_tree', pointer);
  const onNoMatch = m.on_no_match === undefined ? undefined : parseOnMatch(ctx, m.on_no_match, ptr(pointer, 'on_no_match'));
  if (!tree) {
    unsupported(ctx, pointer, 'filter_chain_matcher without matcher_tree (matcher_list) is not evaluated');
    return { input: { other: 'matcher_list' }, onNoMatch, evidence: evidence(ctx, pointer, 'filter_chain_matcher (matcher_list)') };
  }
  const tp = ptr(pointer, 'matcher_tree');
  const input = parseInput(ctx, obj(ctx, tree.input, ptr(tp, 'input')), ptr(tp, 'input'));
  const out: ChainMatcher = { input, evidence: evidence(ctx, pointer, `filter_chain_matcher on ${typeof input === 'string' ? input : input.other}`) };
  if (onNoMatch) out.onNoMatch = onNoMatch;
  const exact = optObj(ctx, tree, 'exact_match_map', tp);
  const prefix = optObj(ctx, tree, 'prefix_match_map', tp);
  const custom = optObj(ctx, tree, 'custom_match', tp);
  if (exact) out.exact = parseMap(ctx, exact, ptr(tp, 'exact_match_map'));
  else if (prefix) out.prefix = parseMap(ctx, prefix, ptr(tp, 'prefix_match_map'));
  else if (custom) out.ranges = parseIpMatcher(ctx, custom, ptr(tp, 'custom_match'));
  else unsupported(ctx, tp, 'matcher_tree has no exact_match_map, prefix_match_map or custom_match');
  return out;
}

function parseInput(ctx: Ctx, input: Record<string, unknown>, pointer: string): MatcherInput | { other: string } {
  const { type } = typedConfig(ctx, input, pointer);
  const name = type.replace(/^.*\./, '');
  const known = Object.hasOwn(INPUTS, name) ? INPUTS[name] : undefined;
  if (known) return known;
  unsupported(ctx, pointer, `filter_chain_matcher input ${type || '(untyped)'} is not evaluated`);
  return { other: type };
}

function parseMap(ctx: Ctx, m: Record<string, unknown>, pointer: string): Map<string, MatcherOnMatch> {
  const map = obj(ctx, m.map ?? {}, ptr(pointer, 'map'));
  return new Map(Object.entries(map).map(([k, om]) => [k, parseOnMatch(ctx, om, ptr(pointer, 'map', k))]));
}

function parseIpMatcher(ctx: Ctx, custom: Record<string, unknown>, pointer: string): ChainMatcher['ranges'] {
  const { type, body, pointer: bp } = typedConfig(ctx, custom, pointer);
  if (!type.endsWith('IPMatcher')) {
    unsupported(ctx, pointer, `custom_match ${type || '(untyped)'} is not evaluated`);
    return [];
  }
  return arr(ctx, body, 'range_matchers', bp).map((rm, i) => {
    const p = ptr(bp, 'range_matchers', i);
    const o = obj(ctx, rm, p);
    const cidrs = arr(ctx, o, 'ranges', p).map((r, j) => {
      const rp = ptr(p, 'ranges', j);
      const ro = obj(ctx, r, rp);
      return `${str(ctx, ro, 'address_prefix', rp)}/${optNum(ctx, ro, 'prefix_len', rp) ?? 0}`;
    });
    return { cidrs, exclusive: optBool(ctx, o, 'exclusive', p) ?? false, onMatch: parseOnMatch(ctx, o.on_match, ptr(p, 'on_match')) };
  });
}

function parseOnMatch(ctx: Ctx, v: unknown, pointer: string): MatcherOnMatch {
  const om = obj(ctx, v, pointer, 'an on_match object');
  if (om.matcher !== undefined) return { matcher: parseChainMatcher(ctx, om.matcher, ptr(pointer, 'matcher')) };
  const action = obj(ctx, om.action, ptr(pointer, 'action'), 'an action or a matcher');
  const ap = ptr(pointer, 'action');
  const { body } = typedConfig(ctx, action, ap);
  const name = optStr(ctx, body, 'value', ap) ?? str(ctx, action, 'name', ap);
  return { action: name, evidence: evidence(ctx, ap, `filter chain ${name}`) };
}
