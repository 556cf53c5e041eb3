import { createAction, Property, type InputPropertyMap, type StaticPropsValue } from "@activepieces/pieces-framework";
import { alfredAuth } from "../auth";
import { alfredApi, postCallback } from "../common/alfred-client";
import { callbackEventId, presentParams, signCallback, type CallbackAction } from "../common/callback";
import { actionsDestination } from "../common/destinations";

const idempotencyProps = {
  idempotency_key: Property.ShortText({
    displayName: "Idempotency key",
    description:
      "Alfred acts once per key; a repeat gets the first answer back and changes nothing. Leave empty to act on every run. To act once per Alfred event, use the trigger's event_id (plus this step's name if several Alfred steps answer the same event).",
    required: false,
  }),
  answers_event_id: Property.ShortText({
    displayName: "Answers Alfred event",
    description: "Optional: the event_id of the Alfred event this step answers, so Alfred's timeline links the two.",
    required: false,
  }),
};

/**
 * One Activepieces action per Alfred callback action. Each run signs a callback with the project's
 * callback-only Alfred destination (created on first use, its secret held in the project store);
 * when Alfred refuses that signature the destination is renewed once and the same callback, same
 * event id, is sent again: a refused callback executed nothing, so nothing can happen twice.
 */
export function callbackAction<Props extends InputPropertyMap>(definition: {
  name: string;
  action: CallbackAction;
  displayName: string;
  description: string;
  props: Props;
  params: (values: StaticPropsValue<Props>) => Record<string, unknown>;
}) {
  return createAction({
    auth: alfredAuth,
    name: definition.name,
    displayName: definition.displayName,
    description: definition.description,
    props: { ...definition.props, ...idempotencyProps },
    async run(context) {
      const values = context.propsValue as StaticPropsValue<Props> & StaticPropsValue<typeof idempotencyProps>;
      const connection = context.auth.props;
      const api = alfredApi(connection);
      const { tenant } = await api.me();
      const eventId = callbackEventId(values.idempotency_key);
      const params = presentParams(definition.params(values));
      const where = { tenantId: tenant.id, projectId: context.project.id, activepiecesUrl: context.server.publicUrl };

      const send = async (renew: boolean) => {
        const destination = await actionsDestination(api, context.store, where, renew);
        const signed = signCallback({
          destinationId: destination.id,
          secret: destination.secret,
          tenantId: tenant.id,
          eventId,
          action: definition.action,
          params,
          correlationId: values.answers_event_id?.trim() || null,
          timestamp: Math.floor(Date.now() / 1000),
        });
        return postCallback(connection.base_url, signed);
      };
      let response = await send(false);
      if (response.error?.code === "invalid_signature") response = await send(true);
      if (response.error) throw response.error;
      return { ...(response.body as Record<string, unknown>), idempotent_replay: response.replay };
    },
  });
}
