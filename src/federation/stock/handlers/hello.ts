import { MeshError, asMeshError } from '../../../errors.js';
import { decodeUserAgent, type UserAgent } from '../../../wire/bodies/user-agent.js';
import type { WireFrame } from '../../../wire/frame.js';
import { replyFrame } from '../stock-frames.js';
import type { HandlerSession } from './handler-session.js';
import { applyVerdict } from '../../hello-verdict.js';

const BAD_BODY = 'ERR_MESH_WIRE_BAD_BODY';

/** PROTOCOL §11.5 / §11.9 (HelloProcessor): `version`, a non-blank `group` and `purpose` pub|sub are required. */
function checked(agent: UserAgent): { group: string; purpose: 'pub' | 'sub' } {
  if (agent.version === undefined || agent.version.length === 0) throw new MeshError(BAD_BODY, 'UserAgent.version is required');
  const group = agent.group?.trim() ?? '';
  if (group.length === 0) throw new MeshError(BAD_BODY, 'UserAgent.group is required and must not be blank');
  const purpose = agent.purpose;
  if (purpose !== 'pub' && purpose !== 'sub') throw new MeshError(BAD_BODY, 'UserAgent.purpose must be "pub" or "sub"');
  return { group, purpose };
}

/**
 * PROTOCOL §2.4 / §8.1 / §11.9: a stock client's HELLO. A bad UserAgent, or one
 * `verifyHello` refuses, is answered with code 1 and the connection closes (as
 * Java does). A second HELLO on an open session is answered with success again.
 */
export function hello(session: HandlerSession, frame: WireFrame): void {
  if (session.purpose !== undefined) return session.send(replyFrame(frame));
  if (session.helloPending) return;
  const refuse = (error: MeshError): void => {
    session.send(replyFrame(frame, error));
    session.link.close();
  };
  let agent: UserAgent;
  let who: { group: string; purpose: 'pub' | 'sub' };
  try {
    agent = decodeUserAgent(frame.body);
    who = checked(agent);
  } catch (err) {
    const error = asMeshError(err, BAD_BODY);
    session.host.report(error);
    return refuse(error);
  }
  const welcome = (identity: string): void => {
    if (!session.open) return;
    session.purpose = who.purpose;
    session.group = who.group;
    session.lastHeartbeat = Date.now();
    session.link.admitted?.(); // limits.helloTimeout no longer applies
    session.party = { kind: 'client', identity, remoteAddress: session.link.remoteAddress };
    session.send(replyFrame(frame));
    const hooks = session.host.hooks;
    if (hooks.onLinkUp !== undefined) hooks.run('onLinkUp', session.party);
    session.host.log.debug('stock client session opened', { client: identity, address: session.link.remoteAddress, group: who.group, purpose: who.purpose });
  };
  const refused = new MeshError('ERR_MESH_PEER_REFUSED', 'refused by verifyHello');
  // PROTOCOL §9.2: the same admission hook as for peers, told that this is a client.
  const { remoteAddress, certificate } = session.link;
  const base = { node: agent.subsystem ?? '', token: agent.token, remoteAddress, client: who };
  session.helloPending = true;
  applyVerdict(session.host.verifyHello(certificate === undefined ? base : { ...base, certificate }), agent.username ?? agent.subsystem ?? '', {
    admit: (identity) => {
      session.helloPending = false;
      welcome(identity);
    },
    refuse: () => {
      session.helloPending = false;
      refuse(refused);
    },
    failed: (err) => {
      session.helloPending = false;
      session.host.report(asMeshError(err, 'ERR_MESH_INVALID_OPTIONS', { stage: 'verifyHello', client: agent.subsystem }));
      refuse(refused);
    },
  });
}
