import { demoPassword, expect, test } from './support.ts';

test('a GP system posts a FHIR ServiceRequest and reads its Task', async ({ request }) => {
  const { token } = (await (
    await request.post('/api/v1/tokens', {
      data: { email: 'referrer2@example.org', password: demoPassword, name: 'GP system' },
    })
  ).json()) as { token: string };
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' };
  const posted = await request.post('/fhir/r4/lambeth/ServiceRequest', {
    headers,
    data: JSON.stringify({
      resourceType: 'ServiceRequest',
      contained: [
        {
          resourceType: 'Patient',
          id: 'p',
          name: [{ use: 'usual', given: ['Stanley'], family: 'Mensah' }],
          telecom: [{ system: 'phone', value: '020 7946 0222' }],
        },
        { resourceType: 'Consent', id: 'c', status: 'active', patient: { reference: '#p' } },
      ],
      status: 'active',
      intent: 'order',
      code: { coding: [{ system: 'http://snomed.info/sct', code: '871731000000106' }] },
      subject: { reference: '#p' },
      requester: { display: 'Hetherington Group Practice' },
      reasonCode: [{ text: 'Isolated after a fall' }],
      supportingInfo: [{ reference: '#c' }],
    }),
  });
  expect(posted.status()).toBe(201);
  const { id } = (await posted.json()) as { id: string };
  expect(posted.headers().location).toContain(`/fhir/r4/lambeth/ServiceRequest/${id}`);
  const bundle = await (await request.get(`/fhir/r4/lambeth/Task?focus=ServiceRequest/${id}`, { headers })).json();
  expect(bundle).toMatchObject({
    resourceType: 'Bundle',
    type: 'searchset',
    total: 1,
    entry: [{ resource: { resourceType: 'Task', status: 'received' } }],
  });
  const invalid = await request.post('/fhir/r4/lambeth/ServiceRequest', {
    headers,
    data: JSON.stringify({ resourceType: 'ServiceRequest', status: 'active' }),
  });
  expect(invalid.status()).toBe(422);
  expect(await invalid.json()).toMatchObject({ resourceType: 'OperationOutcome' });
});
