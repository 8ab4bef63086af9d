import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { consents } from '../../src/modules/people/schema.ts';
import { referrals } from '../../src/modules/referrals/schema.ts';
import { useFixtureApp } from '../support/app.ts';
import { callers } from '../support/callers.ts';

const given = useFixtureApp();
const { tokenFor } = callers(() => given.test.app);

const fhir = (token: string | null, method: string, url: string, body?: unknown) =>
  given.test.app.inject({
    method: method as 'GET',
    url,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/fhir+json' } : {}),
    },
    payload: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });

/** A UK Core–shaped referral from a GP system. */
function serviceRequest(options: { consent?: 'active' | 'rejected' | 'none'; name?: string; performer?: string } = {}) {
  const consent = options.consent ?? 'active';
  return {
    resourceType: 'ServiceRequest',
    contained: [
      {
        resourceType: 'Patient',
        id: 'patient',
        identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9434765919' }],
        name: [
          { use: 'official', given: ['Margaret', 'Rose'], family: 'Okafor' },
          { use: 'usual', given: [options.name ?? 'Peggy'] },
        ],
        birthDate: '1941-02-14',
        telecom: [{ system: 'phone', value: '020 7946 0777' }],
        address: [{ line: ['12 Norwood Road'], city: 'London', postalCode: 'SE24 9AA' }],
      },
      ...(consent === 'none'
        ? []
        : [
            {
              resourceType: 'Consent',
              id: 'share-outcome',
              status: consent,
              scope: { text: 'Share outcome with referrer' },
              category: [{ text: 'Information sharing' }],
              patient: { reference: '#patient' },
            },
          ]),
    ],
    status: 'active',
    intent: 'order',
    priority: 'urgent',
    code: {
      coding: [
        {
          system: 'http://snomed.info/sct',
          code: '871731000000106',
          display: 'Referral to social prescribing service',
        },
      ],
    },
    subject: { reference: '#patient' },
    requester: { reference: 'Practitioner/abc', display: 'Alpha Surgery' },
    reasonCode: [{ text: 'Social isolation' }],
    note: [{ text: 'Widowed last year; keen to meet people.' }],
    ...(consent === 'none' ? {} : { supportingInfo: [{ reference: '#share-outcome' }] }),
    ...(options.performer ? { performer: [{ reference: options.performer }] } : {}),
  };
}

describe('FHIR R4 referrals', () => {
  it('a GP system posts a ServiceRequest, and reads it and its Task as the referral moves on', async () => {
    const referrer = await tokenFor('referrer@alpha.test');
    const created = await fhir(
      referrer,
      'POST',
      '/fhir/r4/alpha/ServiceRequest',
      serviceRequest({ performer: `HealthcareService/${given.fixture.alphaProgrammeId}` }),
    );
    expect(created.statusCode).toBe(201);
    expect(created.headers['content-type']).toContain('application/fhir+json');
    const resource = created.json<{
      id: string;
      resourceType: string;
      status: string;
      identifier: { value: string }[];
    }>();
    expect(resource).toMatchObject({
      resourceType: 'ServiceRequest',
      status: 'active',
      intent: 'order',
      priority: 'urgent',
    });
    expect(created.headers.location).toBe(`http://localhost:3000/fhir/r4/alpha/ServiceRequest/${resource.id}`);

    const [referral] = await given.test.database.owner.select().from(referrals).where(eq(referrals.id, resource.id));
    expect(referral).toMatchObject({
      source: 'professional',
      urgency: 'soon',
      referrerOrganisation: 'Alpha Surgery',
      reason: 'Social isolation\n\nWidowed last year; keen to meet people.',
    });
    const decisions = await given.test.database.owner
      .select()
      .from(consents)
      .where(eq(consents.personRecordId, referral?.personRecordId ?? ''));
    expect(decisions.find((row) => row.purpose === 'tell_referrer')?.granted).toBe(true);

    const read = await fhir(referrer, 'GET', `/fhir/r4/alpha/ServiceRequest/${resource.id}`);
    expect(read.json()).toMatchObject({
      id: resource.id,
      identifier: [{ value: referral?.reference }],
      subject: { display: 'Peggy' },
    });
    const task = async () =>
      (await fhir(referrer, 'GET', `/fhir/r4/alpha/Task?focus=ServiceRequest/${resource.id}`)).json<{
        resourceType: string;
        type: string;
        total: number;
        entry: { resource: { status: string; output?: { valueString: string }[]; focus: { reference: string } } }[];
      }>();
    expect(await task()).toMatchObject({
      resourceType: 'Bundle',
      type: 'searchset',
      total: 1,
      entry: [
        {
          resource: { resourceType: 'Task', status: 'received', focus: { reference: `ServiceRequest/${resource.id}` } },
        },
      ],
    });

    const coordinator = await tokenFor('coordinator@alpha.test');
    await given.test.app.inject({
      method: 'POST',
      url: `/api/v1/communities/alpha/referrals/${resource.id}/contact-attempts`,
      headers: { authorization: `Bearer ${coordinator}` },
      payload: { method: 'phone', outcome: 'spoke' },
    });
    expect((await task()).entry[0]?.resource.status).toBe('in-progress');
    await given.test.app.inject({
      method: 'POST',
      url: `/api/v1/communities/alpha/referrals/${resource.id}/accept`,
      headers: { authorization: `Bearer ${coordinator}` },
      payload: { programmeIds: [given.fixture.alphaProgrammeId] },
    });
    expect((await task()).entry[0]?.resource).toMatchObject({
      status: 'completed',
      output: [{ valueString: 'Alpha Time Bank' }],
    });
    expect((await fhir(referrer, 'GET', `/fhir/r4/alpha/ServiceRequest/${resource.id}`)).json()).toMatchObject({
      status: 'completed',
    });
  });

  it('without an active Consent the referrer’s Task stays "received", whatever happens', async () => {
    const referrer = await tokenFor('referrer@alpha.test');
    const { id } = (
      await fhir(referrer, 'POST', '/fhir/r4/alpha/ServiceRequest', serviceRequest({ consent: 'none', name: 'Norma' }))
    ).json<{ id: string }>();
    const coordinator = await tokenFor('coordinator@alpha.test');
    await given.test.app.inject({
      method: 'POST',
      url: `/api/v1/communities/alpha/referrals/${id}/decline`,
      headers: { authorization: `Bearer ${coordinator}` },
      payload: { reason: 'no_places' },
    });
    const bundle = (await fhir(referrer, 'GET', `/fhir/r4/alpha/Task?focus=ServiceRequest/${id}`)).json<{
      entry: { resource: Record<string, unknown> }[];
    }>();
    expect(bundle.entry[0]?.resource).toMatchObject({
      status: 'received',
      businessStatus: { text: 'The person chose not to share updates' },
    });
    expect(bundle.entry[0]?.resource.statusReason).toBeUndefined();
    expect((await fhir(referrer, 'GET', `/fhir/r4/alpha/ServiceRequest/${id}`)).json()).toMatchObject({
      status: 'active',
    });
    // A rejected Consent is no agreement either.
    const rejected = (
      await fhir(
        referrer,
        'POST',
        '/fhir/r4/alpha/ServiceRequest',
        serviceRequest({ consent: 'rejected', name: 'Rita' }),
      )
    ).json<{ id: string }>();
    const [row] = await given.test.database.owner.select().from(referrals).where(eq(referrals.id, rejected.id));
    const decisions = await given.test.database.owner
      .select()
      .from(consents)
      .where(eq(consents.personRecordId, row?.personRecordId ?? ''));
    expect(decisions.find((decision) => decision.purpose === 'tell_referrer')?.granted).toBe(false);
  });

  it('a resource that cannot be read is a 400, one that breaks the profile a 422, each with an OperationOutcome naming the problem; nothing is written', async () => {
    const referrer = await tokenFor('referrer@alpha.test');
    const count = async () =>
      (await given.test.database.owner.select({ count: sql<number>`count(*)::int` }).from(referrals))[0]?.count;
    const before = await count();
    const wrongCode = { ...serviceRequest(), code: { coding: [{ system: 'http://snomed.info/sct', code: '12345' }] } };
    const noSubject = { ...serviceRequest(), subject: { reference: 'Patient/elsewhere' } };
    const badNhs = serviceRequest();
    (badNhs.contained[0] as { identifier: { system: string; value: string }[] }).identifier = [
      { system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9434765918' },
    ];
    const cases: [unknown, number, string][] = [
      ['{ not json', 400, ''],
      [{ resourceType: 'Patient' }, 400, 'resourceType'],
      [[1, 2, 3], 400, 'ServiceRequest'],
      [wrongCode, 422, 'ServiceRequest.code'],
      [noSubject, 422, 'ServiceRequest.subject'],
      [badNhs, 422, 'ServiceRequest.contained[0].identifier'],
      [
        serviceRequest({ performer: 'HealthcareService/00000000-0000-4000-8000-000000000000' }),
        422,
        'ServiceRequest.performer[0]',
      ],
      [{ ...serviceRequest(), reasonCode: [], note: [] }, 422, 'ServiceRequest.reasonCode'],
      [serviceRequest({ name: 'x'.repeat(100_000) }), 422, 'ServiceRequest.contained[0].name'],
    ];
    for (const [body, status, expression] of cases) {
      const response = await fhir(referrer, 'POST', '/fhir/r4/alpha/ServiceRequest', body);
      expect(response.statusCode, expression).toBe(status);
      expect(response.headers['content-type']).toContain('application/fhir+json');
      const outcome = response.json<{
        resourceType: string;
        issue: { severity: string; code: string; diagnostics: string; expression?: string[] }[];
      }>();
      expect(outcome.resourceType).toBe('OperationOutcome');
      expect(outcome.issue[0]?.severity).toBe('error');
      if (expression) expect(outcome.issue.flatMap((issue) => issue.expression ?? [])).toContain(expression);
    }
    expect(await count()).toBe(before);
  });

  it('only referrers post, only members read, and another community’s referral is not there', async () => {
    expect((await fhir(null, 'POST', '/fhir/r4/alpha/ServiceRequest', serviceRequest())).json()).toMatchObject({
      resourceType: 'OperationOutcome',
      issue: [{ code: 'login' }],
    });
    const coordinator = await tokenFor('coordinator@alpha.test');
    expect((await fhir(coordinator, 'POST', '/fhir/r4/alpha/ServiceRequest', serviceRequest())).statusCode).toBe(403);
    const beta = await tokenFor('admin@beta.test');
    expect((await fhir(beta, 'GET', `/fhir/r4/alpha/ServiceRequest/${given.fixture.alphaReferralId}`)).statusCode).toBe(
      404,
    );
    expect((await fhir(beta, 'GET', `/fhir/r4/beta/ServiceRequest/${given.fixture.alphaReferralId}`)).statusCode).toBe(
      404,
    );
    const empty = await fhir(beta, 'GET', `/fhir/r4/beta/Task?focus=ServiceRequest/${given.fixture.alphaReferralId}`);
    expect(empty.json()).toMatchObject({ resourceType: 'Bundle', total: 0, entry: [] });
    expect((await fhir(coordinator, 'GET', '/fhir/r4/alpha/Task')).statusCode).toBe(400);
  });
});
