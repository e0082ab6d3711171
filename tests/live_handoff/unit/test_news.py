"""The news channel (live_handoff.news): first in, first out, and news already waiting is
not queued twice, so a burst of queue changes costs one more broadcast, not one each."""

from __future__ import annotations

import asyncio

from live_handoff.news import ChatsChanged, NewsChannel, QueueChanged, SessionEnded


async def test_news_comes_out_in_the_order_it_went_in():
    channel = NewsChannel()
    for news in (QueueChanged(), ChatsChanged("sam"), SessionEnded("sam")):
        channel.put(news)
    assert [await channel.get() for _ in range(3)] == [QueueChanged(), ChatsChanged("sam"), SessionEnded("sam")]


async def test_equal_news_waiting_is_kept_once():
    channel = NewsChannel()
    for _ in range(5):
        channel.put(QueueChanged())
        channel.put(ChatsChanged("sam"))
    channel.put(ChatsChanged("priya"))
    assert len(channel) == 3


async def test_news_arriving_while_the_last_is_acted_on_is_new_again():
    channel = NewsChannel()
    channel.put(QueueChanged())
    assert await channel.get() == QueueChanged()
    channel.put(QueueChanged())
    assert len(channel) == 1


async def test_a_reader_waits_for_news():
    channel = NewsChannel()
    reader = asyncio.create_task(channel.get())
    await asyncio.sleep(0.01)
    assert not reader.done()
    channel.put(SessionEnded("sam"))
    assert await asyncio.wait_for(reader, 1) == SessionEnded("sam")


async def test_a_closed_channel_ends_its_readers_and_takes_no_more_news():
    channel = NewsChannel()
    channel.put(QueueChanged())
    channel.close()
    channel.put(ChatsChanged("sam"))
    assert [news async for news in channel] == [QueueChanged()]
