import { CommunityHome } from './pages/community-home.ts';
import { AddProgramme, Programmes, WhatWeOffer } from './pages/programmes.ts';
import { signIn } from './pages/sign-in.ts';
import { test, expect } from './support.ts';

test('an admin adds a programme, and someone looking for support finds it on the community’s page', async ({
  page,
  browser,
}) => {
  await signIn(page, 'admin@example.org');
  const home = await CommunityHome.verifyOnPage(page, 'Hello, Alex Morgan');
  await home.goToFromMenu('Programmes');
  const programmes = await Programmes.verifyOnPage(page);
  await programmes.addAProgramme();
  const form = await AddProgramme.verifyOnPage(page);
  await form.giveName('Gardening together');
  await form.saveProgramme();
  await AddProgramme.verifyOnPage(page);
  await expect(form.alert).toContainText('Select what kind of programme it is');
  await expect(form.name()).toHaveValue('Gardening together');
  await form.describe({
    kind: 'Peer support network',
    whoFor: 'Anyone who likes being outside, whatever you know about plants.',
    howToJoin: 'Just come along, or ask at reception.',
    whereAndWhen: 'Saturdays 10am at the surgery garden.',
  });
  await form.saveProgramme();
  await Programmes.verifyOnPage(page);
  await expect(page.getByText('Gardening together has been added.')).toBeVisible();

  const visitor = await (await browser.newContext()).newPage();
  const whatWeOffer = await WhatWeOffer.open(visitor, 'lambeth');
  await expect(whatWeOffer.programme('Gardening together')).toBeVisible();
  await expect(visitor.getByText('Saturdays 10am at the surgery garden.')).toBeVisible();
  await expect(whatWeOffer.programme('Winter walking group')).toHaveCount(0);
});
