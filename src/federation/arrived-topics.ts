import type { MeshEvent } from '../event/mesh-event.js';
import { matchLevels, type ParsedPattern } from '../topic/pattern.js';

/**
 * PROTOCOL §9.3: the topics an arriving event may have been routed by. The origin routed
 * it by its `type`, or, for an event a stock client published, by its `subject`
 * (PROTOCOL §8.2); the frame does not say which, so a subscription named as a
 * destination takes the event when its pattern matches either. One instance serves
 * every arrival (`reset` per event, no object per event); levels are split once per
 * event, and only when a wildcard pattern asks.
 */
export class ArrivedTopics {
  private type = '';
  private subject: string | undefined = undefined;
  private typeLevels: string[] | undefined = undefined;
  private subjectLevels: string[] | undefined = undefined;

  reset(event: MeshEvent): this {
    this.type = event.type;
    this.subject = event.subject;
    this.typeLevels = undefined;
    this.subjectLevels = undefined;
    return this;
  }

  match(pattern: ParsedPattern): boolean {
    const { type, subject } = this;
    if (pattern.exact) return pattern.text === type || pattern.text === subject;
    if (matchLevels(pattern.levels, (this.typeLevels ??= type.split('.')))) return true;
    return subject !== undefined && matchLevels(pattern.levels, (this.subjectLevels ??= subject.split('.')));
  }
}
