/**
 * The Slack channel on Bolt. HTTP Events mode mounts Bolt's ExpressReceiver router on the app's own
 * server (/slack/events): Bolt checks the v0 signature and timestamp, answers url_verification and acks
 * within Slack's 3 seconds; retries carry the same event_id, which becomes the IncomingMessage id the
 * engine deduplicates on. With an app token it runs Socket Mode instead (no public URL needed). DMs and
 * @mentions in channels are answered, mentions in the thread; Block Kit buttons come back as payloads.
 */
import { App, ExpressReceiver, LogLevel, SocketModeReceiver, type Logger } from '@slack/bolt';
import type { Router } from 'express';
import type { ChannelSender, Engine, IncomingMessage } from '../../types.ts';
import { createDispatcher, type ChannelAdapter, type ChannelLog } from '../dispatch/index.ts';
import { ACTION_PREFIX, actionToIncoming, eventToIncoming, toSlackPosts, type SlackActionBody, type SlackMessageEvent } from './convert.ts';

export { slackStyle, toSlackPosts, SECTION_LIMIT } from './convert.ts';

export type SlackMode = { kind: 'http'; signingSecret: string } | { kind: 'socket'; appToken: string };

export interface SlackChannelOptions {
  botToken: string;
  mode: SlackMode;
  /** Web API base (SLACK_API_URL), e.g. a local fake in tests; Slack's own by default. */
  apiUrl?: string;
  engine: Engine;
  log: ChannelLog;
  clock?: () => Date;
  /** Where the Events API posts (HTTP mode). */
  eventsPath?: string;
}

export interface SlackChannel extends ChannelAdapter {
  /** HTTP mode only: where the router listens. */
  eventsPath?: string;
}

/** Bolt's logger interface over ours, so Bolt's warnings land in the same JSON log. */
function boltLogger(log: ChannelLog): Logger {
  let level = LogLevel.INFO;
  const fmt = (msg: unknown[]) => msg.map((m) => (typeof m === 'string' ? m : m instanceof Error ? m.message : JSON.stringify(m))).join(' ');
  return {
    debug: (...m) => log.debug('slack: ' + fmt(m)),
    info: (...m) => log.info('slack: ' + fmt(m)),
    warn: (...m) => log.warn('slack: ' + fmt(m)),
    error: (...m) => log.error('slack: ' + fmt(m)),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

export function createSlackChannel(options: SlackChannelOptions): SlackChannel {
  const { engine, log } = options;
  const clock = options.clock ?? (() => new Date());
  const logger = boltLogger(log);
  const eventsPath = options.eventsPath ?? '/slack/events';
  // WebClient joins method names onto the base, so it must end with a slash.
  const clientOptions = options.apiUrl ? { slackApiUrl: options.apiUrl.replace(/\/*$/, '/') } : {};

  let receiver: ExpressReceiver | undefined;
  let app: App;
  if (options.mode.kind === 'http') {
    receiver = new ExpressReceiver({
      signingSecret: options.mode.signingSecret,
      endpoints: eventsPath,
      logger,
      // Ack first, answer after: Slack retries anything not acknowledged within 3 seconds.
      processBeforeResponse: false,
    });
    app = new App({ token: options.botToken, receiver, logger, clientOptions });
  } else {
    // Built by hand so SLACK_API_URL also reaches apps.connections.open (Bolt would not pass it on).
    const socket = new SocketModeReceiver({ appToken: options.mode.appToken, logger, installerOptions: { clientOptions } });
    app = new App({ token: options.botToken, receiver: socket, logger, clientOptions });
  }

  const dispatcher = createDispatcher(engine, log);

  const sender: ChannelSender = {
    channel: 'slack',
    async send(chatId, messages, sendOptions) {
      for (const [i, message] of messages.entries()) {
        for (const post of toSlackPosts(message, i)) {
          await app.client.chat.postMessage({ channel: chatId, thread_ts: sendOptions?.threadId, text: post.text, blocks: post.blocks as never, unfurl_links: false, unfurl_media: false });
        }
      }
    },
  };

  const run = (incoming: IncomingMessage | undefined) => {
    if (!incoming) return Promise.resolve();
    return dispatcher.dispatch(incoming, (replies) => sender.send(incoming.chat.id, replies, { threadId: incoming.chat.threadId }));
  };

  // Direct messages (channel messages that do not mention the bot are not ours to answer).
  app.message(async ({ message, body, context }) => {
    const event = message as unknown as SlackMessageEvent;
    await run(eventToIncoming(event, (body as { event_id?: string }).event_id ?? `${event.channel}:${event.ts}`, { botUserId: context.botUserId, now: clock() }));
  });
  app.event('app_mention', async ({ event, body, context }) => {
    const e = event as unknown as SlackMessageEvent;
    await run(eventToIncoming(e, (body as { event_id?: string }).event_id ?? `${e.channel}:${e.ts}`, { botUserId: context.botUserId, now: clock() }));
  });
  app.action({ type: 'block_actions', action_id: new RegExp(`^${ACTION_PREFIX}`) }, async ({ ack, body }) => {
    await ack();
    await run(actionToIncoming(body as unknown as SlackActionBody, { now: clock() }));
  });
  // Per-event boundary: a listener failure is logged; Bolt keeps serving.
  app.error(async (err) => {
    log.error('slack event failed', { err });
  });

  return {
    sender,
    router: receiver?.router as Router | undefined,
    eventsPath: receiver ? eventsPath : undefined,
    async start() {
      // HTTP mode needs no start: the router is mounted on our server. Socket Mode opens its connection.
      if (options.mode.kind === 'socket') {
        await app.start();
        log.info('slack socket mode connected');
      } else log.info('slack events mounted', { path: eventsPath });
    },
    async stop() {
      if (options.mode.kind === 'socket') await app.stop().catch((err: unknown) => log.warn('slack stop failed', { err }));
      await this.idle();
    },
    idle: () => dispatcher.drain(),
  };
}
